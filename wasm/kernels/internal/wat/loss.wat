  ;; ---- loss.wat: cross-entropy over a vocabulary ----

  ;; $rowmax is the largest of x[0..n), n >= 1; NaN if any is NaN.
  (func $rowmax (param $x i32) (param $n i32) (result f32)
    (local $mv v128) (local $m f32)
    (local.set $m (f32.load (local.get $x)))
    (if (i32.ge_s (local.get $n) (i32.const 4))
      (then
        (local.set $mv (v128.load (local.get $x)))
        (block $tail
          (loop $vec
            (br_if $tail (i32.lt_s (local.get $n) (i32.const 4)))
            (local.set $mv (f32x4.max (local.get $mv) (v128.load (local.get $x))))
            (local.set $x (i32.add (local.get $x) (i32.const 16)))
            (local.set $n (i32.sub (local.get $n) (i32.const 4)))
            (br $vec)))
        (local.set $m (f32.max (f32.max (f32x4.extract_lane 0 (local.get $mv)) (f32x4.extract_lane 1 (local.get $mv)))
                               (f32.max (f32x4.extract_lane 2 (local.get $mv)) (f32x4.extract_lane 3 (local.get $mv)))))))
    (block $done
      (loop $scalar
        (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
        (local.set $m (f32.max (local.get $m) (f32.load (local.get $x))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $scalar)))
    (local.get $m))

  ;; $sumexp64 is sum exp(x[j] - mx) over j < n, accumulated in f64.
  (func $sumexp64 (param $x i32) (param $n i32) (param $mx f32) (result f64)
    (local $mv v128) (local $e v128) (local $acc0 v128) (local $acc1 v128) (local $s f64)
    (local.set $mv (f32x4.splat (local.get $mx)))
    (block $tail
      (loop $vec
        (br_if $tail (i32.lt_s (local.get $n) (i32.const 4)))
        (local.set $e (call $exp4 (f32x4.sub (v128.load (local.get $x)) (local.get $mv))))
        (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.promote_low_f32x4 (local.get $e))))
        (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.promote_low_f32x4 (call $high2 (local.get $e)))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $n (i32.sub (local.get $n) (i32.const 4)))
        (br $vec)))
    (local.set $acc0 (f64x2.add (local.get $acc0) (local.get $acc1)))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0))))
    (block $done
      (loop $scalar
        (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
        (local.set $s (f64.add (local.get $s) (f64.promote_f32 (call $exp1 (f32.sub (f32.load (local.get $x)) (local.get $mx))))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $scalar)))
    (local.get $s))

  ;; crossentropy: rows [r0,r1) of logits [N,V]:
  ;; losses[n] = log(sum exp(logits[n] - max)) - (logits[n,target] - max), 0 for a negative target.
  (func (export "crossentropy") (param $losses i32) (param $logits i32) (param $targets i32) (param $V i32)
        (param $r0 i32) (param $r1 i32)
    (local $n i32) (local $tgt i32) (local $row i32) (local $mx f32)
    (local.set $n (local.get $r0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $n) (local.get $r1)))
        (local.set $tgt (i32.load (i32.add (local.get $targets) (i32.shl (local.get $n) (i32.const 2)))))
        (if (i32.lt_s (local.get $tgt) (i32.const 0))
          (then (f32.store (i32.add (local.get $losses) (i32.shl (local.get $n) (i32.const 2))) (f32.const 0)))
          (else
            (local.set $row (i32.add (local.get $logits) (i32.shl (i32.mul (local.get $n) (local.get $V)) (i32.const 2))))
            (local.set $mx (call $rowmax (local.get $row) (local.get $V)))
            (f32.store (i32.add (local.get $losses) (i32.shl (local.get $n) (i32.const 2)))
              (f32.demote_f64
                (f64.sub (call $log64 (call $sumexp64 (local.get $row) (local.get $V) (local.get $mx)))
                         (f64.promote_f32 (f32.sub (f32.load (i32.add (local.get $row) (i32.shl (local.get $tgt) (i32.const 2))))
                                                   (local.get $mx))))))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $rows))))

  ;; crossentropy_backward: rows [r0,r1): dlogits[n] = dlosses[n] * (softmax(logits[n]) - onehot(target)),
  ;; 0 for a negative target or a zero dloss. dlogits may equal logits.
  (func (export "crossentropy_backward") (param $dlogits i32) (param $logits i32) (param $targets i32) (param $dlosses i32)
        (param $V i32) (param $r0 i32) (param $r1 i32)
    (local $n i32) (local $tgt i32) (local $row i32) (local $drow i32) (local $mx f32) (local $g f32) (local $inv f32)
    (local $xt f32) (local $j i32) (local $gv v128) (local $mv v128) (local $invv v128)
    (local.set $n (local.get $r0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $n) (local.get $r1)))
        (local.set $tgt (i32.load (i32.add (local.get $targets) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $g (f32.load (i32.add (local.get $dlosses) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $row (i32.add (local.get $logits) (i32.shl (i32.mul (local.get $n) (local.get $V)) (i32.const 2))))
        (local.set $drow (i32.add (local.get $dlogits) (i32.shl (i32.mul (local.get $n) (local.get $V)) (i32.const 2))))
        (if (i32.or (i32.lt_s (local.get $tgt) (i32.const 0)) (f32.eq (local.get $g) (f32.const 0)))
          (then (call $zero (local.get $drow) (i32.const 0) (local.get $V)))
          (else
            (local.set $mx (call $rowmax (local.get $row) (local.get $V)))
            (local.set $inv (f32.demote_f64 (f64.div (f64.const 1)
                                                     (call $sumexp64 (local.get $row) (local.get $V) (local.get $mx)))))
            (local.set $xt (f32.load (i32.add (local.get $row) (i32.shl (local.get $tgt) (i32.const 2)))))
            (local.set $gv (f32x4.splat (local.get $g)))
            (local.set $mv (f32x4.splat (local.get $mx)))
            (local.set $invv (f32x4.splat (local.get $inv)))
            (local.set $j (i32.const 0))
            (block $t1 (loop $l1
              (br_if $t1 (i32.gt_s (i32.add (local.get $j) (i32.const 4)) (local.get $V)))
              (v128.store (i32.add (local.get $drow) (i32.shl (local.get $j) (i32.const 2)))
                (f32x4.mul (local.get $gv)
                           (f32x4.mul (call $exp4 (f32x4.sub (v128.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2))))
                                                             (local.get $mv)))
                                      (local.get $invv))))
              (local.set $j (i32.add (local.get $j) (i32.const 4)))
              (br $l1)))
            (block $t2 (loop $l2
              (br_if $t2 (i32.ge_s (local.get $j) (local.get $V)))
              (f32.store (i32.add (local.get $drow) (i32.shl (local.get $j) (i32.const 2)))
                (f32.mul (local.get $g)
                         (f32.mul (call $exp1 (f32.sub (f32.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2))))
                                                       (local.get $mx)))
                                  (local.get $inv))))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br $l2)))
            (f32.store (i32.add (local.get $drow) (i32.shl (local.get $tgt) (i32.const 2)))
              (f32.mul (local.get $g)
                       (f32.sub (f32.mul (call $exp1 (f32.sub (local.get $xt) (local.get $mx))) (local.get $inv))
                                (f32.const 1))))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $rows))))
