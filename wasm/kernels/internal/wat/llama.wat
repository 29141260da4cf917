  ;; ---- llama.wat: RMSNorm, rotary embeddings, SwiGLU ----

  ;; rmsnorm: rows [r0,r1) of inp [N,C]. The mean of squares is f64 as in the
  ;; reference; rstd = f32(1/sqrt(mean + eps)); out = x * rstd * weight.
  (func (export "rmsnorm") (param $out i32) (param $rstd i32) (param $inp i32) (param $weight i32)
        (param $C i32) (param $eps i32) (param $r0 i32) (param $r1 i32)
    (local $n i32) (local $x i32) (local $o i32) (local $j i32) (local $e f64)
    (local $acc0 v128) (local $acc1 v128) (local $v v128) (local $lo v128) (local $hi v128)
    (local $ss f64) (local $s f32) (local $sv v128)
    (local.set $n (local.get $r0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $n) (local.get $r1)))
        (local.set $x (i32.add (local.get $inp) (i32.shl (i32.mul (local.get $n) (local.get $C)) (i32.const 2))))
        (local.set $o (i32.add (local.get $out) (i32.shl (i32.mul (local.get $n) (local.get $C)) (i32.const 2))))
        (local.set $acc0 (v128.const i64x2 0 0))
        (local.set $acc1 (v128.const i64x2 0 0))
        (local.set $j (i32.const 0))
        (block $t1 (loop $l1
          (br_if $t1 (i32.gt_s (i32.add (local.get $j) (i32.const 4)) (local.get $C)))
          (local.set $v (v128.load (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 2)))))
          (local.set $lo (f64x2.promote_low_f32x4 (local.get $v)))
          (local.set $hi (f64x2.promote_low_f32x4 (call $high2 (local.get $v))))
          (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $lo) (local.get $lo))))
          (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $hi) (local.get $hi))))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $l1)))
        (local.set $acc0 (f64x2.add (local.get $acc0) (local.get $acc1)))
        (local.set $ss (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0))))
        (block $t2 (loop $l2
          (br_if $t2 (i32.ge_s (local.get $j) (local.get $C)))
          (local.set $e (f64.promote_f32 (f32.load (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 2))))))
          (local.set $ss (f64.add (local.get $ss) (f64.mul (local.get $e) (local.get $e))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $l2)))
        (local.set $s (f32.demote_f64
          (f64.div (f64.const 1)
                   (f64.sqrt (f64.add (f64.div (local.get $ss) (f64.convert_i32_s (local.get $C)))
                                      (f64.promote_f32 (f32.reinterpret_i32 (local.get $eps))))))))
        (local.set $sv (f32x4.splat (local.get $s)))
        (local.set $j (i32.const 0))
        (block $t3 (loop $l3
          (br_if $t3 (i32.gt_s (i32.add (local.get $j) (i32.const 4)) (local.get $C)))
          (v128.store (i32.add (local.get $o) (i32.shl (local.get $j) (i32.const 2)))
            (f32x4.mul (f32x4.mul (v128.load (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 2)))) (local.get $sv))
                       (v128.load (i32.add (local.get $weight) (i32.shl (local.get $j) (i32.const 2))))))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $l3)))
        (block $t4 (loop $l4
          (br_if $t4 (i32.ge_s (local.get $j) (local.get $C)))
          (f32.store (i32.add (local.get $o) (i32.shl (local.get $j) (i32.const 2)))
            (f32.mul (f32.mul (f32.load (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 2)))) (local.get $s))
                     (f32.load (i32.add (local.get $weight) (i32.shl (local.get $j) (i32.const 2))))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $l4)))
        (f32.store (i32.add (local.get $rstd) (i32.shl (local.get $n) (i32.const 2))) (local.get $s))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $rows))))

  ;; rmsnorm_backward_dinp: rows [r0,r1): with norm = x * rstd and dnorm =
  ;; weight * dout, dinp[n] += (dnorm - norm * mean(dnorm*norm)) * rstd.
  (func (export "rmsnorm_backward_dinp") (param $dinp i32) (param $dout i32) (param $inp i32) (param $weight i32)
        (param $rstd i32) (param $C i32) (param $r0 i32) (param $r1 i32)
    (local $n i32) (local $x i32) (local $g i32) (local $di i32) (local $j i32) (local $off i32) (local $end i32)
    (local $s f32) (local $a f32) (local $sv v128) (local $av v128)
    (local.set $end (i32.shl (local.get $C) (i32.const 2)))
    (local.set $n (local.get $r0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $n) (local.get $r1)))
        (local.set $off (i32.shl (i32.mul (local.get $n) (local.get $C)) (i32.const 2)))
        (local.set $x (i32.add (local.get $inp) (local.get $off)))
        (local.set $g (i32.add (local.get $dout) (local.get $off)))
        (local.set $di (i32.add (local.get $dinp) (local.get $off)))
        (local.set $s (f32.load (i32.add (local.get $rstd) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $sv (f32x4.splat (local.get $s)))
        ;; mean(dnorm*norm)
        (local.set $av (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (block $t1 (loop $l1
          (br_if $t1 (i32.gt_s (local.get $j) (i32.sub (local.get $end) (i32.const 16))))
          (local.set $av (f32x4.add (local.get $av)
            (f32x4.mul (f32x4.mul (v128.load (i32.add (local.get $weight) (local.get $j))) (v128.load (i32.add (local.get $g) (local.get $j))))
                       (f32x4.mul (v128.load (i32.add (local.get $x) (local.get $j))) (local.get $sv)))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $l1)))
        (local.set $a (call $hsum4 (local.get $av)))
        (block $t2 (loop $l2
          (br_if $t2 (i32.ge_s (local.get $j) (local.get $end)))
          (local.set $a (f32.add (local.get $a)
            (f32.mul (f32.mul (f32.load (i32.add (local.get $weight) (local.get $j))) (f32.load (i32.add (local.get $g) (local.get $j))))
                     (f32.mul (f32.load (i32.add (local.get $x) (local.get $j))) (local.get $s)))))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $l2)))
        (local.set $a (f32.div (local.get $a) (f32.convert_i32_s (local.get $C))))
        (local.set $av (f32x4.splat (local.get $a)))
        ;; accumulate
        (local.set $j (i32.const 0))
        (block $t3 (loop $l3
          (br_if $t3 (i32.gt_s (local.get $j) (i32.sub (local.get $end) (i32.const 16))))
          (v128.store (i32.add (local.get $di) (local.get $j))
            (f32x4.add (v128.load (i32.add (local.get $di) (local.get $j)))
                       (f32x4.mul (f32x4.sub (f32x4.mul (v128.load (i32.add (local.get $weight) (local.get $j)))
                                                        (v128.load (i32.add (local.get $g) (local.get $j))))
                                             (f32x4.mul (f32x4.mul (v128.load (i32.add (local.get $x) (local.get $j))) (local.get $sv))
                                                        (local.get $av)))
                                  (local.get $sv))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $l3)))
        (block $t4 (loop $l4
          (br_if $t4 (i32.ge_s (local.get $j) (local.get $end)))
          (f32.store (i32.add (local.get $di) (local.get $j))
            (f32.add (f32.load (i32.add (local.get $di) (local.get $j)))
                     (f32.mul (f32.sub (f32.mul (f32.load (i32.add (local.get $weight) (local.get $j)))
                                                (f32.load (i32.add (local.get $g) (local.get $j))))
                                       (f32.mul (f32.mul (f32.load (i32.add (local.get $x) (local.get $j))) (local.get $s))
                                                (local.get $a)))
                              (local.get $s))))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $l4)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $rows))))

  ;; rmsnorm_backward_dweight: channels [r0,r1) for all N rows:
  ;; dweight[c] += inp[n,c] * rstd[n] * dout[n,c].
  (func (export "rmsnorm_backward_dweight") (param $dweight i32) (param $dout i32) (param $inp i32) (param $rstd i32)
        (param $N i32) (param $C i32) (param $r0 i32) (param $r1 i32)
    (local $n i32) (local $off i32) (local $j i32) (local $end i32) (local $s f32) (local $sv v128)
    (local.set $end (i32.shl (local.get $r1) (i32.const 2)))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $n) (local.get $N)))
        (local.set $off (i32.shl (i32.mul (local.get $n) (local.get $C)) (i32.const 2)))
        (local.set $s (f32.load (i32.add (local.get $rstd) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $sv (f32x4.splat (local.get $s)))
        (local.set $j (i32.shl (local.get $r0) (i32.const 2)))
        (block $t1 (loop $l1
          (br_if $t1 (i32.gt_s (local.get $j) (i32.sub (local.get $end) (i32.const 16))))
          (v128.store (i32.add (local.get $dweight) (local.get $j))
            (f32x4.add (v128.load (i32.add (local.get $dweight) (local.get $j)))
                       (f32x4.mul (f32x4.mul (v128.load (i32.add (local.get $inp) (i32.add (local.get $off) (local.get $j)))) (local.get $sv))
                                  (v128.load (i32.add (local.get $dout) (i32.add (local.get $off) (local.get $j)))))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $l1)))
        (block $t2 (loop $l2
          (br_if $t2 (i32.ge_s (local.get $j) (local.get $end)))
          (f32.store (i32.add (local.get $dweight) (local.get $j))
            (f32.add (f32.load (i32.add (local.get $dweight) (local.get $j)))
                     (f32.mul (f32.mul (f32.load (i32.add (local.get $inp) (i32.add (local.get $off) (local.get $j)))) (local.get $s))
                              (f32.load (i32.add (local.get $dout) (i32.add (local.get $off) (local.get $j)))))))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $l2)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $rows))))

  ;; $rope rotates heads [0,NH+KVH) of token rows [r0,r1) of qkv
  ;; [N,(NH+2*KVH)*HS] in place: pairs (i, i+HS/2) by the angle of row n%T
  ;; of cos, sin [T,HS/2], with sin multiplied by sign (1 forward, -1 for
  ;; the transpose rotation of backward).
  (func $rope (param $qkv i32) (param $cos i32) (param $sin i32) (param $T i32) (param $NH i32) (param $KVH i32)
        (param $HS i32) (param $sign f32) (param $r0 i32) (param $r1 i32)
    (local $n i32) (local $hb i32) (local $Wb i32) (local $c i32) (local $s i32) (local $x i32) (local $h i32) (local $i i32)
    (local $x0 v128) (local $x1 v128) (local $cv v128) (local $sv v128) (local $signv v128)
    (local $x0s f32) (local $x1s f32) (local $cs f32) (local $ss f32)
    (local.set $hb (i32.shl (i32.shr_u (local.get $HS) (i32.const 1)) (i32.const 2)))
    (local.set $Wb (i32.shl (i32.mul (i32.add (local.get $NH) (i32.shl (local.get $KVH) (i32.const 1))) (local.get $HS)) (i32.const 2)))
    (local.set $signv (f32x4.splat (local.get $sign)))
    (local.set $n (local.get $r0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $n) (local.get $r1)))
        (local.set $c (i32.add (local.get $cos) (i32.mul (i32.rem_u (local.get $n) (local.get $T)) (local.get $hb))))
        (local.set $s (i32.add (local.get $sin) (i32.mul (i32.rem_u (local.get $n) (local.get $T)) (local.get $hb))))
        (local.set $x (i32.add (local.get $qkv) (i32.mul (local.get $n) (local.get $Wb))))
        (local.set $h (i32.const 0))
        (block $hdone (loop $heads
          (br_if $hdone (i32.ge_s (local.get $h) (i32.add (local.get $NH) (local.get $KVH))))
          (local.set $i (i32.const 0))
          (block $t1 (loop $l1
            (br_if $t1 (i32.gt_s (local.get $i) (i32.sub (local.get $hb) (i32.const 16))))
            (local.set $x0 (v128.load (i32.add (local.get $x) (local.get $i))))
            (local.set $x1 (v128.load (i32.add (i32.add (local.get $x) (local.get $hb)) (local.get $i))))
            (local.set $cv (v128.load (i32.add (local.get $c) (local.get $i))))
            (local.set $sv (f32x4.mul (local.get $signv) (v128.load (i32.add (local.get $s) (local.get $i)))))
            (v128.store (i32.add (local.get $x) (local.get $i))
              (f32x4.sub (f32x4.mul (local.get $x0) (local.get $cv)) (f32x4.mul (local.get $x1) (local.get $sv))))
            (v128.store (i32.add (i32.add (local.get $x) (local.get $hb)) (local.get $i))
              (f32x4.add (f32x4.mul (local.get $x1) (local.get $cv)) (f32x4.mul (local.get $x0) (local.get $sv))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $l1)))
          (block $t2 (loop $l2
            (br_if $t2 (i32.ge_s (local.get $i) (local.get $hb)))
            (local.set $x0s (f32.load (i32.add (local.get $x) (local.get $i))))
            (local.set $x1s (f32.load (i32.add (i32.add (local.get $x) (local.get $hb)) (local.get $i))))
            (local.set $cs (f32.load (i32.add (local.get $c) (local.get $i))))
            (local.set $ss (f32.mul (local.get $sign) (f32.load (i32.add (local.get $s) (local.get $i)))))
            (f32.store (i32.add (local.get $x) (local.get $i))
              (f32.sub (f32.mul (local.get $x0s) (local.get $cs)) (f32.mul (local.get $x1s) (local.get $ss))))
            (f32.store (i32.add (i32.add (local.get $x) (local.get $hb)) (local.get $i))
              (f32.add (f32.mul (local.get $x1s) (local.get $cs)) (f32.mul (local.get $x0s) (local.get $ss))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $l2)))
          (local.set $x (i32.add (local.get $x) (i32.shl (local.get $hb) (i32.const 1))))
          (local.set $h (i32.add (local.get $h) (i32.const 1)))
          (br $heads)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $rows))))

  ;; rope: token rows [r0,r1) of qkv [B*T,(NH+2*KVH)*HS]; see tensor.Device.RoPE.
  (func (export "rope") (param $qkv i32) (param $cos i32) (param $sin i32) (param $T i32) (param $NH i32) (param $KVH i32)
        (param $HS i32) (param $r0 i32) (param $r1 i32)
    (call $rope (local.get $qkv) (local.get $cos) (local.get $sin) (local.get $T) (local.get $NH) (local.get $KVH)
                (local.get $HS) (f32.const 1) (local.get $r0) (local.get $r1)))

  ;; rope_backward: the transpose rotation on the same rows of dqkv.
  (func (export "rope_backward") (param $dqkv i32) (param $cos i32) (param $sin i32) (param $T i32) (param $NH i32) (param $KVH i32)
        (param $HS i32) (param $r0 i32) (param $r1 i32)
    (call $rope (local.get $dqkv) (local.get $cos) (local.get $sin) (local.get $T) (local.get $NH) (local.get $KVH)
                (local.get $HS) (f32.const -1) (local.get $r0) (local.get $r1)))

  ;; $silu_e4 is e^(-g) per lane with -g clamped to 88, so that it stays
  ;; finite and sigmoid(g) = 1/(1+e) times e stays a number.
  (func $silu_e4 (param $g v128) (result v128)
    (call $exp4 (f32x4.pmin (f32x4.neg (local.get $g)) (v128.const f32x4 88 88 88 88))))

  ;; $swiglu4 is silu(g) * u = g / (1 + e^(-g)) * u per lane.
  (func $swiglu4 (param $g v128) (param $u v128) (result v128)
    (f32x4.mul (f32x4.div (local.get $g) (f32x4.add (v128.const f32x4 1 1 1 1) (call $silu_e4 (local.get $g))))
               (local.get $u)))

  ;; $swiglu_grad4 returns the increments of dgate and dup per lane:
  ;; (d u) silu'(g) and d silu(g), with s = sigmoid(g) = 1/(1+e), silu(g) =
  ;; g s and silu'(g) = s (1 + g (1-s)), 1-s = e s.
  (func $swiglu_grad4 (param $g v128) (param $u v128) (param $d v128) (result v128 v128)
    (local $e v128) (local $s v128)
    (local.set $e (call $silu_e4 (local.get $g)))
    (local.set $s (f32x4.div (v128.const f32x4 1 1 1 1) (f32x4.add (v128.const f32x4 1 1 1 1) (local.get $e))))
    (f32x4.mul (f32x4.mul (local.get $d) (local.get $u))
               (f32x4.mul (local.get $s)
                          (f32x4.add (v128.const f32x4 1 1 1 1)
                                     (f32x4.mul (local.get $g) (f32x4.mul (local.get $e) (local.get $s))))))
    (f32x4.mul (local.get $d) (f32x4.mul (local.get $g) (local.get $s))))

  ;; swiglu: rows [r0,r1): out[n,i] = silu(gateup[n,i]) * gateup[n,I+i], i < I.
  (func (export "swiglu") (param $out i32) (param $gateup i32) (param $I i32) (param $r0 i32) (param $r1 i32)
    (local $n i32) (local $gate i32) (local $up i32) (local $o i32) (local $j i32) (local $end i32)
    (local.set $end (i32.shl (local.get $I) (i32.const 2)))
    (local.set $n (local.get $r0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $n) (local.get $r1)))
        (local.set $gate (i32.add (local.get $gateup) (i32.shl (i32.mul (local.get $n) (local.get $end)) (i32.const 1))))
        (local.set $up (i32.add (local.get $gate) (local.get $end)))
        (local.set $o (i32.add (local.get $out) (i32.mul (local.get $n) (local.get $end))))
        (local.set $j (i32.const 0))
        (block $t1 (loop $l1
          (br_if $t1 (i32.gt_s (local.get $j) (i32.sub (local.get $end) (i32.const 16))))
          (v128.store (i32.add (local.get $o) (local.get $j))
            (call $swiglu4 (v128.load (i32.add (local.get $gate) (local.get $j))) (v128.load (i32.add (local.get $up) (local.get $j)))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $l1)))
        (block $t2 (loop $l2
          (br_if $t2 (i32.ge_s (local.get $j) (local.get $end)))
          (f32.store (i32.add (local.get $o) (local.get $j))
            (f32x4.extract_lane 0 (call $swiglu4 (v128.load32_zero (i32.add (local.get $gate) (local.get $j)))
                                                 (v128.load32_zero (i32.add (local.get $up) (local.get $j))))))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $l2)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $rows))))

  ;; swiglu_backward: rows [r0,r1): dgateup[n,i] += dout[n,i] gateup[n,I+i]
  ;; silu'(gateup[n,i]), dgateup[n,I+i] += dout[n,i] silu(gateup[n,i]).
  (func (export "swiglu_backward") (param $dgateup i32) (param $gateup i32) (param $dout i32) (param $I i32)
        (param $r0 i32) (param $r1 i32)
    (local $n i32) (local $gate i32) (local $up i32) (local $dgate i32) (local $dup i32) (local $d i32) (local $j i32)
    (local $end i32) (local $ig v128) (local $iu v128)
    (local.set $end (i32.shl (local.get $I) (i32.const 2)))
    (local.set $n (local.get $r0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $n) (local.get $r1)))
        (local.set $gate (i32.add (local.get $gateup) (i32.shl (i32.mul (local.get $n) (local.get $end)) (i32.const 1))))
        (local.set $up (i32.add (local.get $gate) (local.get $end)))
        (local.set $dgate (i32.add (local.get $dgateup) (i32.shl (i32.mul (local.get $n) (local.get $end)) (i32.const 1))))
        (local.set $dup (i32.add (local.get $dgate) (local.get $end)))
        (local.set $d (i32.add (local.get $dout) (i32.mul (local.get $n) (local.get $end))))
        (local.set $j (i32.const 0))
        (block $t1 (loop $l1
          (br_if $t1 (i32.gt_s (local.get $j) (i32.sub (local.get $end) (i32.const 16))))
          (call $swiglu_grad4 (v128.load (i32.add (local.get $gate) (local.get $j))) (v128.load (i32.add (local.get $up) (local.get $j)))
                              (v128.load (i32.add (local.get $d) (local.get $j))))
          (local.set $iu)
          (local.set $ig)
          (v128.store (i32.add (local.get $dgate) (local.get $j)) (f32x4.add (v128.load (i32.add (local.get $dgate) (local.get $j))) (local.get $ig)))
          (v128.store (i32.add (local.get $dup) (local.get $j)) (f32x4.add (v128.load (i32.add (local.get $dup) (local.get $j))) (local.get $iu)))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $l1)))
        (block $t2 (loop $l2
          (br_if $t2 (i32.ge_s (local.get $j) (local.get $end)))
          (call $swiglu_grad4 (v128.load32_zero (i32.add (local.get $gate) (local.get $j)))
                              (v128.load32_zero (i32.add (local.get $up) (local.get $j)))
                              (v128.load32_zero (i32.add (local.get $d) (local.get $j))))
          (local.set $iu)
          (local.set $ig)
          (f32.store (i32.add (local.get $dgate) (local.get $j))
            (f32.add (f32.load (i32.add (local.get $dgate) (local.get $j))) (f32x4.extract_lane 0 (local.get $ig))))
          (f32.store (i32.add (local.get $dup) (local.get $j))
            (f32.add (f32.load (i32.add (local.get $dup) (local.get $j))) (f32x4.extract_lane 0 (local.get $iu))))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $l2)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $rows))))
