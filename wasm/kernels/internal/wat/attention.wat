  ;; ---- attention.wat: causal self-attention with past (prefix) rows ----

  ;; $exp_row sets row[j] = exp(row[j] - mx) for j < n and returns their sum.
  (func $exp_row (param $row i32) (param $n i32) (param $mx f32) (result f32)
    (local $mv v128) (local $e v128) (local $acc v128) (local $s f32) (local $x f32)
    (local.set $mv (f32x4.splat (local.get $mx)))
    (block $tail
      (loop $vec
        (br_if $tail (i32.lt_s (local.get $n) (i32.const 4)))
        (local.set $e (call $exp4 (f32x4.sub (v128.load (local.get $row)) (local.get $mv))))
        (v128.store (local.get $row) (local.get $e))
        (local.set $acc (f32x4.add (local.get $acc) (local.get $e)))
        (local.set $row (i32.add (local.get $row) (i32.const 16)))
        (local.set $n (i32.sub (local.get $n) (i32.const 4)))
        (br $vec)))
    (local.set $s (call $hsum4 (local.get $acc)))
    (block $done
      (loop $scalar
        (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
        (local.set $x (call $exp1 (f32.sub (f32.load (local.get $row)) (local.get $mx))))
        (f32.store (local.get $row) (local.get $x))
        (local.set $s (f32.add (local.get $s) (local.get $x)))
        (local.set $row (i32.add (local.get $row) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $scalar)))
    (local.get $s))

  ;; $div_row sets row[j] /= d for j < n.
  (func $div_row (param $row i32) (param $n i32) (param $d f32)
    (local $dv v128)
    (local.set $dv (f32x4.splat (local.get $d)))
    (block $tail
      (loop $vec
        (br_if $tail (i32.lt_s (local.get $n) (i32.const 4)))
        (v128.store (local.get $row) (f32x4.div (v128.load (local.get $row)) (local.get $dv)))
        (local.set $row (i32.add (local.get $row) (i32.const 16)))
        (local.set $n (i32.sub (local.get $n) (i32.const 4)))
        (br $vec)))
    (block $done
      (loop $scalar
        (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
        (f32.store (local.get $row) (f32.div (f32.load (local.get $row)) (local.get $d)))
        (local.set $row (i32.add (local.get $row) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $scalar))))

  ;; attention: query heads [r0,r1) of every batch; see tensor.Device.Attention.
  ;; Query head h reads key/value head g = h / (NH/KVH). Per head:
  ;;   1. scores att[t,j] = q_t . k_j * scale for j <= P+t, in blocks of four
  ;;      rows so that each key row loaded serves four (which also fills a
  ;;      few j right of the diagonal), then the rows left one by one;
  ;;   2. row by row, -Inf where t does not see j, the softmax over j <= P+t,
  ;;      and 0 right of the diagonal (a row that sees nothing is all 0);
  ;;   3. out_t = sum_j att[t,j] v_j, four positions at a time.
  ;; The past row of position j < P is at pastk/pastv + j*S + poff, the
  ;; token row at qkv + (b*T + j-P)*W + koff/voff (byte offsets in the row).
  (func (export "attention") (param $out i32) (param $att i32) (param $qkv i32) (param $pastk i32) (param $pastv i32)
        (param $valid i32) (param $B i32) (param $T i32) (param $NH i32) (param $KVH i32) (param $HS i32) (param $P i32)
        (param $S i32) (param $r0 i32) (param $r1 i32)
    (local $L i32) (local $Lb i32) (local $Wb i32) (local $Ob i32) (local $Sb i32) (local $g i32) (local $koff i32) (local $voff i32)
    (local $poff i32) (local $hoff i32) (local $scale f32) (local $b i32) (local $h i32) (local $t i32) (local $T4 i32) (local $tok i32)
    (local $j i32) (local $n i32) (local $k i32) (local $q i32) (local $a0 i32) (local $row i32) (local $o i32) (local $mx f32)
    (local $s0 f32) (local $s1 f32) (local $s2 f32) (local $s3 f32)
    (local.set $L (i32.add (local.get $P) (local.get $T)))
    (local.set $Lb (i32.shl (local.get $L) (i32.const 2)))
    (local.set $Wb (i32.shl (i32.mul (i32.add (local.get $NH) (i32.shl (local.get $KVH) (i32.const 1))) (local.get $HS)) (i32.const 2)))
    (local.set $Ob (i32.shl (i32.mul (local.get $NH) (local.get $HS)) (i32.const 2)))
    (local.set $Sb (i32.shl (local.get $S) (i32.const 2)))
    (local.set $T4 (i32.and (local.get $T) (i32.const -4)))
    (local.set $scale (f32.demote_f64 (f64.div (f64.const 1) (f64.sqrt (f64.convert_i32_u (local.get $HS))))))
    (local.set $b (i32.const 0))
    (block $bdone (loop $bloop
      (br_if $bdone (i32.ge_s (local.get $b) (local.get $B)))
      (local.set $tok (i32.add (local.get $qkv) (i32.mul (i32.mul (local.get $b) (local.get $T)) (local.get $Wb))))
      (local.set $h (local.get $r0))
      (block $hdone (loop $hloop
        (br_if $hdone (i32.ge_s (local.get $h) (local.get $r1)))
        (local.set $g (i32.div_u (local.get $h) (i32.div_u (local.get $NH) (local.get $KVH))))
        (local.set $hoff (i32.shl (i32.mul (local.get $h) (local.get $HS)) (i32.const 2)))
        (local.set $koff (i32.shl (i32.mul (i32.add (local.get $NH) (local.get $g)) (local.get $HS)) (i32.const 2)))
        (local.set $voff (i32.add (local.get $koff) (i32.shl (i32.mul (local.get $KVH) (local.get $HS)) (i32.const 2))))
        (local.set $poff (i32.shl (i32.mul (local.get $g) (local.get $HS)) (i32.const 2)))
        (local.set $a0 (i32.add (local.get $att)
                                (i32.mul (i32.mul (i32.add (i32.mul (local.get $b) (local.get $NH)) (local.get $h)) (local.get $T))
                                         (local.get $Lb))))
        ;; 1. scores
        (local.set $t (i32.const 0))
        (block $t1done (loop $t1loop
          (br_if $t1done (i32.ge_s (local.get $t) (local.get $T)))
          (local.set $q (i32.add (i32.add (local.get $tok) (i32.mul (local.get $t) (local.get $Wb))) (local.get $hoff)))
          (local.set $row (i32.add (local.get $a0) (i32.mul (local.get $t) (local.get $Lb))))
          (local.set $n (i32.add (i32.add (local.get $P) (local.get $t))
                                 (select (i32.const 4) (i32.const 1) (i32.lt_s (local.get $t) (local.get $T4)))))
          (local.set $j (i32.const 0))
          (block $j1done (loop $j1loop
            (br_if $j1done (i32.ge_s (local.get $j) (local.get $n)))
            (local.set $k (call $krow (local.get $j) (local.get $pastk) (local.get $Sb) (local.get $poff) (local.get $P)
                                      (local.get $tok) (local.get $Wb) (local.get $koff)))
            (if (i32.lt_s (local.get $t) (local.get $T4))
              (then
                (call $dot4 (local.get $k) (local.get $q) (i32.add (local.get $q) (local.get $Wb))
                            (i32.add (local.get $q) (i32.shl (local.get $Wb) (i32.const 1)))
                            (i32.add (local.get $q) (i32.mul (local.get $Wb) (i32.const 3))) (local.get $HS))
                (local.set $s3) (local.set $s2) (local.set $s1) (local.set $s0)
                (local.set $k (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2))))
                (f32.store (local.get $k) (f32.mul (local.get $s0) (local.get $scale)))
                (f32.store (i32.add (local.get $k) (local.get $Lb)) (f32.mul (local.get $s1) (local.get $scale)))
                (f32.store (i32.add (local.get $k) (i32.shl (local.get $Lb) (i32.const 1))) (f32.mul (local.get $s2) (local.get $scale)))
                (f32.store (i32.add (local.get $k) (i32.mul (local.get $Lb) (i32.const 3))) (f32.mul (local.get $s3) (local.get $scale))))
              (else
                (f32.store (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2)))
                           (f32.mul (call $dot (local.get $k) (local.get $q) (local.get $HS)) (local.get $scale)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $j1loop)))
          (local.set $t (i32.add (local.get $t) (select (i32.const 4) (i32.const 1) (i32.lt_s (local.get $t) (local.get $T4)))))
          (br $t1loop)))
        (local.set $t (i32.const 0))
        (block $tdone (loop $tloop
          (br_if $tdone (i32.ge_s (local.get $t) (local.get $T)))
          (local.set $row (i32.add (local.get $a0) (i32.mul (local.get $t) (local.get $Lb))))
          (local.set $o (i32.add (i32.add (local.get $out) (i32.mul (i32.add (i32.mul (local.get $b) (local.get $T)) (local.get $t)) (local.get $Ob)))
                                 (local.get $hoff)))
          (local.set $n (i32.add (i32.add (local.get $P) (local.get $t)) (i32.const 1)))
          ;; 2. the softmax; positions not seen hold -Inf until the exponential
          (local.set $mx (f32.const -inf))
          (local.set $j (i32.const 0))
          (block $sdone (loop $sloop
            (br_if $sdone (i32.ge_s (local.get $j) (local.get $n)))
            (local.set $k (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2))))
            (if (i32.and (i32.ge_s (local.get $j) (local.get $P))
                         (f32.eq (f32.load (i32.add (local.get $valid)
                                                    (i32.shl (i32.sub (i32.add (i32.mul (local.get $b) (local.get $T)) (local.get $j))
                                                                      (local.get $P))
                                                             (i32.const 2))))
                                 (f32.const 0)))
              (then (f32.store (local.get $k) (f32.const -inf)))
              (else (local.set $mx (f32.max (local.get $mx) (f32.load (local.get $k))))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $sloop)))
          (call $zero (local.get $o) (i32.const 0) (local.get $HS))
          (if (f32.eq (local.get $mx) (f32.const -inf))
            (then (call $zero (local.get $row) (i32.const 0) (local.get $L)))
            (else
              (call $div_row (local.get $row) (local.get $n) (call $exp_row (local.get $row) (local.get $n) (local.get $mx)))
              (call $zero (local.get $row) (local.get $n) (local.get $L))
              ;; 3. out_t = sum_j att[t,j] v_j
              (local.set $j (i32.const 0))
              (block $odone (loop $oloop
                (br_if $odone (i32.ge_s (local.get $j) (local.get $n)))
                (local.set $k (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2))))
                (if (i32.le_s (i32.add (local.get $j) (i32.const 4)) (local.get $n))
                  (then
                    (call $axpy4 (local.get $o)
                                 (call $krow (local.get $j) (local.get $pastv) (local.get $Sb) (local.get $poff) (local.get $P)
                                             (local.get $tok) (local.get $Wb) (local.get $voff))
                                 (call $krow (i32.add (local.get $j) (i32.const 1)) (local.get $pastv) (local.get $Sb) (local.get $poff)
                                             (local.get $P) (local.get $tok) (local.get $Wb) (local.get $voff))
                                 (call $krow (i32.add (local.get $j) (i32.const 2)) (local.get $pastv) (local.get $Sb) (local.get $poff)
                                             (local.get $P) (local.get $tok) (local.get $Wb) (local.get $voff))
                                 (call $krow (i32.add (local.get $j) (i32.const 3)) (local.get $pastv) (local.get $Sb) (local.get $poff)
                                             (local.get $P) (local.get $tok) (local.get $Wb) (local.get $voff))
                                 (f32.load offset=0 (local.get $k)) (f32.load offset=4 (local.get $k))
                                 (f32.load offset=8 (local.get $k)) (f32.load offset=12 (local.get $k))
                                 (local.get $HS))
                    (local.set $j (i32.add (local.get $j) (i32.const 4))))
                  (else
                    (call $axpy (local.get $o) (f32.load (local.get $k))
                                (call $krow (local.get $j) (local.get $pastv) (local.get $Sb) (local.get $poff) (local.get $P)
                                            (local.get $tok) (local.get $Wb) (local.get $voff))
                                (local.get $HS))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))))
                (br $oloop)))))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br $tloop)))
        (local.set $h (i32.add (local.get $h) (i32.const 1)))
        (br $hloop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bloop))))

  ;; $dot4 returns a . b0, a . b1, a . b2, a . b3 over n floats, each summed
  ;; as $dot sums: in vector lanes, then the tail.
  (func $dot4 (param $a i32) (param $b0 i32) (param $b1 i32) (param $b2 i32) (param $b3 i32) (param $n i32)
        (result f32 f32 f32 f32)
    (local $k i32) (local $end i32) (local $av v128) (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $x f32) (local $s0 f32) (local $s1 f32) (local $s2 f32) (local $s3 f32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $tail (loop $vec
      (br_if $tail (i32.gt_s (i32.add (local.get $k) (i32.const 16)) (local.get $end)))
      (local.set $av (v128.load (i32.add (local.get $a) (local.get $k))))
      (local.set $v0 (f32x4.add (local.get $v0) (f32x4.mul (local.get $av) (v128.load (i32.add (local.get $b0) (local.get $k))))))
      (local.set $v1 (f32x4.add (local.get $v1) (f32x4.mul (local.get $av) (v128.load (i32.add (local.get $b1) (local.get $k))))))
      (local.set $v2 (f32x4.add (local.get $v2) (f32x4.mul (local.get $av) (v128.load (i32.add (local.get $b2) (local.get $k))))))
      (local.set $v3 (f32x4.add (local.get $v3) (f32x4.mul (local.get $av) (v128.load (i32.add (local.get $b3) (local.get $k))))))
      (local.set $k (i32.add (local.get $k) (i32.const 16)))
      (br $vec)))
    (local.set $s0 (call $hsum4 (local.get $v0)))
    (local.set $s1 (call $hsum4 (local.get $v1)))
    (local.set $s2 (call $hsum4 (local.get $v2)))
    (local.set $s3 (call $hsum4 (local.get $v3)))
    (block $done (loop $scalar
      (br_if $done (i32.ge_s (local.get $k) (local.get $end)))
      (local.set $x (f32.load (i32.add (local.get $a) (local.get $k))))
      (local.set $s0 (f32.add (local.get $s0) (f32.mul (local.get $x) (f32.load (i32.add (local.get $b0) (local.get $k))))))
      (local.set $s1 (f32.add (local.get $s1) (f32.mul (local.get $x) (f32.load (i32.add (local.get $b1) (local.get $k))))))
      (local.set $s2 (f32.add (local.get $s2) (f32.mul (local.get $x) (f32.load (i32.add (local.get $b2) (local.get $k))))))
      (local.set $s3 (f32.add (local.get $s3) (f32.mul (local.get $x) (f32.load (i32.add (local.get $b3) (local.get $k))))))
      (local.set $k (i32.add (local.get $k) (i32.const 4)))
      (br $scalar)))
    (local.get $s0) (local.get $s1) (local.get $s2) (local.get $s3))

  ;; $axpy4 sets y[i] += (c0 x0[i] + c1 x1[i]) + (c2 x2[i] + c3 x3[i]) for i < n:
  ;; four rows into y with one load and store of y.
  (func $axpy4 (param $y i32) (param $x0 i32) (param $x1 i32) (param $x2 i32) (param $x3 i32)
        (param $c0 f32) (param $c1 f32) (param $c2 f32) (param $c3 f32) (param $n i32)
    (local $k i32) (local $end i32) (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $v0 (f32x4.splat (local.get $c0)))
    (local.set $v1 (f32x4.splat (local.get $c1)))
    (local.set $v2 (f32x4.splat (local.get $c2)))
    (local.set $v3 (f32x4.splat (local.get $c3)))
    (block $tail (loop $vec
      (br_if $tail (i32.gt_s (i32.add (local.get $k) (i32.const 16)) (local.get $end)))
      (v128.store (i32.add (local.get $y) (local.get $k))
        (f32x4.add (v128.load (i32.add (local.get $y) (local.get $k)))
                   (f32x4.add (f32x4.add (f32x4.mul (local.get $v0) (v128.load (i32.add (local.get $x0) (local.get $k))))
                                         (f32x4.mul (local.get $v1) (v128.load (i32.add (local.get $x1) (local.get $k)))))
                              (f32x4.add (f32x4.mul (local.get $v2) (v128.load (i32.add (local.get $x2) (local.get $k))))
                                         (f32x4.mul (local.get $v3) (v128.load (i32.add (local.get $x3) (local.get $k))))))))
      (local.set $k (i32.add (local.get $k) (i32.const 16)))
      (br $vec)))
    (block $done (loop $scalar
      (br_if $done (i32.ge_s (local.get $k) (local.get $end)))
      (f32.store (i32.add (local.get $y) (local.get $k))
        (f32.add (f32.load (i32.add (local.get $y) (local.get $k)))
                 (f32.add (f32.add (f32.mul (local.get $c0) (f32.load (i32.add (local.get $x0) (local.get $k))))
                                   (f32.mul (local.get $c1) (f32.load (i32.add (local.get $x1) (local.get $k)))))
                          (f32.add (f32.mul (local.get $c2) (f32.load (i32.add (local.get $x2) (local.get $k))))
                                   (f32.mul (local.get $c3) (f32.load (i32.add (local.get $x3) (local.get $k))))))))
      (local.set $k (i32.add (local.get $k) (i32.const 4)))
      (br $scalar))))

  ;; attention_backward: key/value heads [r0,r1) (all their query heads) of
  ;; every batch; see tensor.Device.AttentionBackward. Per query head, in
  ;; blocks of four rows or positions so that each row loaded serves four
  ;; (rows left over at the end one by one):
  ;;   1. datt[t,j] = dout_t . v_j for the positions j <= P+t that t sees
  ;;      (blocks of four t also fill a few j right of the diagonal);
  ;;   2. datt[t,j] = att[t,j] (datt[t,j] - sum_j att[t,j] datt[t,j]) scale
  ;;      for j <= P+t, and 0 right of the diagonal;
  ;;   3. dv_j += sum_t att[t,j] dout_t and dk_j += sum_t datt[t,j] q_t, over
  ;;      the blocks of rows t that see j;
  ;;   4. dq_t += sum_j datt[t,j] k_j.
  ;; The past row of position j < P is at pastk/pastv + j*S + poff, the
  ;; token row at qkv + (b*T + j-P)*W + koff/voff (byte offsets in the row).
  (func (export "attention_backward") (param $dqkv i32) (param $dpastk i32) (param $dpastv i32) (param $datt i32)
        (param $dout i32) (param $qkv i32) (param $pastk i32) (param $pastv i32) (param $att i32)
        (param $B i32) (param $T i32) (param $NH i32) (param $KVH i32) (param $HS i32) (param $P i32) (param $S i32)
        (param $r0 i32) (param $r1 i32)
    (local $L i32) (local $Lb i32) (local $Wb i32) (local $Gb i32) (local $Sb i32) (local $R i32) (local $gh i32)
    (local $koff i32) (local $voff i32) (local $poff i32) (local $hoff i32) (local $scale f32) (local $b i32) (local $h i32)
    (local $t i32) (local $j i32) (local $n i32) (local $k i32) (local $T4 i32)
    (local $q0 i32) (local $g0 i32) (local $a0 i32) (local $d0 i32) (local $dq0 i32) (local $boff i32)
    (local $g i32) (local $q i32) (local $row i32) (local $drow i32) (local $v i32) (local $dv i32) (local $dk i32) (local $c i32)
    (local $s0 f32) (local $s1 f32) (local $s2 f32) (local $s3 f32) (local $dot f32) (local $dotv v128) (local $scalev v128)
    (local.set $L (i32.add (local.get $P) (local.get $T)))
    (local.set $Lb (i32.shl (local.get $L) (i32.const 2)))
    (local.set $Wb (i32.shl (i32.mul (i32.add (local.get $NH) (i32.shl (local.get $KVH) (i32.const 1))) (local.get $HS)) (i32.const 2)))
    (local.set $Gb (i32.shl (i32.mul (local.get $NH) (local.get $HS)) (i32.const 2)))
    (local.set $Sb (i32.shl (local.get $S) (i32.const 2)))
    (local.set $R (i32.div_u (local.get $NH) (local.get $KVH)))
    (local.set $T4 (i32.and (local.get $T) (i32.const -4)))
    (local.set $scale (f32.demote_f64 (f64.div (f64.const 1) (f64.sqrt (f64.convert_i32_u (local.get $HS))))))
    (local.set $scalev (f32x4.splat (local.get $scale)))
    (local.set $b (i32.const 0))
    (block $bdone (loop $bloop
      (br_if $bdone (i32.ge_s (local.get $b) (local.get $B)))
      (local.set $boff (i32.mul (i32.mul (local.get $b) (local.get $T)) (local.get $Wb)))
      (local.set $h (i32.mul (local.get $r0) (local.get $R)))
      (block $hdone (loop $hloop
        (br_if $hdone (i32.ge_s (local.get $h) (i32.mul (local.get $r1) (local.get $R))))
        (local.set $gh (i32.div_u (local.get $h) (local.get $R)))
        (local.set $hoff (i32.shl (i32.mul (local.get $h) (local.get $HS)) (i32.const 2)))
        (local.set $koff (i32.shl (i32.mul (i32.add (local.get $NH) (local.get $gh)) (local.get $HS)) (i32.const 2)))
        (local.set $voff (i32.add (local.get $koff) (i32.shl (i32.mul (local.get $KVH) (local.get $HS)) (i32.const 2))))
        (local.set $poff (i32.shl (i32.mul (local.get $gh) (local.get $HS)) (i32.const 2)))
        ;; row 0 of the head's queries, dout, att, datt and dq
        (local.set $q0 (i32.add (i32.add (local.get $qkv) (local.get $boff)) (local.get $hoff)))
        (local.set $g0 (i32.add (i32.add (local.get $dout) (i32.mul (i32.mul (local.get $b) (local.get $T)) (local.get $Gb))) (local.get $hoff)))
        (local.set $a0 (i32.mul (i32.mul (i32.add (i32.mul (local.get $b) (local.get $NH)) (local.get $h)) (local.get $T)) (local.get $Lb)))
        (local.set $d0 (i32.add (local.get $datt) (local.get $a0)))
        (local.set $a0 (i32.add (local.get $att) (local.get $a0)))
        (local.set $dq0 (select (i32.add (i32.add (local.get $dqkv) (local.get $boff)) (local.get $hoff)) (i32.const 0) (local.get $dqkv)))
        ;; 1. datt = dout . v: blocks of four rows, then the rows left
        (local.set $t (i32.const 0))
        (block $t1done (loop $t1loop
          (br_if $t1done (i32.ge_s (local.get $t) (local.get $T)))
          (local.set $g (i32.add (local.get $g0) (i32.mul (local.get $t) (local.get $Gb))))
          (local.set $drow (i32.add (local.get $d0) (i32.mul (local.get $t) (local.get $Lb))))
          (local.set $n (i32.add (i32.add (local.get $P) (local.get $t))
                                 (select (i32.const 4) (i32.const 1) (i32.lt_s (local.get $t) (local.get $T4)))))
          (local.set $j (i32.const 0))
          (block $j1done (loop $j1loop
            (br_if $j1done (i32.ge_s (local.get $j) (local.get $n)))
            (local.set $v (call $krow (local.get $j) (local.get $pastv) (local.get $Sb) (local.get $poff) (local.get $P)
                                      (i32.add (local.get $qkv) (local.get $boff)) (local.get $Wb) (local.get $voff)))
            (local.set $k (i32.add (local.get $drow) (i32.shl (local.get $j) (i32.const 2))))
            (if (i32.lt_s (local.get $t) (local.get $T4))
              (then
                (call $dot4 (local.get $v) (local.get $g) (i32.add (local.get $g) (local.get $Gb))
                            (i32.add (local.get $g) (i32.shl (local.get $Gb) (i32.const 1)))
                            (i32.add (local.get $g) (i32.mul (local.get $Gb) (i32.const 3))) (local.get $HS))
                (local.set $s3) (local.set $s2) (local.set $s1) (local.set $s0)
                (f32.store (local.get $k) (local.get $s0))
                (f32.store (i32.add (local.get $k) (local.get $Lb)) (local.get $s1))
                (f32.store (i32.add (local.get $k) (i32.shl (local.get $Lb) (i32.const 1))) (local.get $s2))
                (f32.store (i32.add (local.get $k) (i32.mul (local.get $Lb) (i32.const 3))) (local.get $s3)))
              (else (f32.store (local.get $k) (call $dot (local.get $v) (local.get $g) (local.get $HS)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $j1loop)))
          (local.set $t (i32.add (local.get $t) (select (i32.const 4) (i32.const 1) (i32.lt_s (local.get $t) (local.get $T4)))))
          (br $t1loop)))
        ;; 2. through the softmax, row by row over the n = P+t+1 positions t sees
        (local.set $t (i32.const 0))
        (block $t2done (loop $t2loop
          (br_if $t2done (i32.ge_s (local.get $t) (local.get $T)))
          (local.set $row (i32.add (local.get $a0) (i32.mul (local.get $t) (local.get $Lb))))
          (local.set $drow (i32.add (local.get $d0) (i32.mul (local.get $t) (local.get $Lb))))
          (local.set $n (i32.add (i32.add (local.get $P) (local.get $t)) (i32.const 1)))
          (local.set $dot (call $dot (local.get $row) (local.get $drow) (local.get $n)))
          (local.set $dotv (f32x4.splat (local.get $dot)))
          (local.set $k (i32.const 0))
          (block $v2done (loop $v2loop
            (br_if $v2done (i32.gt_s (i32.add (local.get $k) (i32.const 16)) (i32.shl (local.get $n) (i32.const 2))))
            (v128.store (i32.add (local.get $drow) (local.get $k))
              (f32x4.mul (f32x4.mul (v128.load (i32.add (local.get $row) (local.get $k)))
                                    (f32x4.sub (v128.load (i32.add (local.get $drow) (local.get $k))) (local.get $dotv)))
                         (local.get $scalev)))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $v2loop)))
          (block $s2done (loop $s2loop
            (br_if $s2done (i32.ge_s (local.get $k) (i32.shl (local.get $n) (i32.const 2))))
            (f32.store (i32.add (local.get $drow) (local.get $k))
              (f32.mul (f32.mul (f32.load (i32.add (local.get $row) (local.get $k)))
                                (f32.sub (f32.load (i32.add (local.get $drow) (local.get $k))) (local.get $dot)))
                       (local.get $scale)))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $s2loop)))
          (call $zero (local.get $drow) (local.get $n) (local.get $L))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br $t2loop)))
        ;; 3. dv_j and dk_j over the rows t >= j-P, in blocks of four from the
        ;; block holding row j-P, then the rows left
        (local.set $j (i32.const 0))
        (block $j3done (loop $j3loop
          (br_if $j3done (i32.ge_s (local.get $j) (local.get $L)))
          (if (i32.lt_s (local.get $j) (local.get $P))
            (then
              (local.set $dv (select (i32.add (i32.add (local.get $dpastv) (i32.mul (local.get $j) (local.get $Sb))) (local.get $poff))
                                     (i32.const 0) (local.get $dpastv)))
              (local.set $dk (i32.add (i32.add (local.get $dpastk) (i32.mul (local.get $j) (local.get $Sb))) (local.get $poff)))
              (local.set $t (i32.const 0)))
            (else
              (local.set $dv (select (i32.add (i32.add (i32.add (local.get $dqkv) (local.get $boff))
                                                       (i32.mul (i32.sub (local.get $j) (local.get $P)) (local.get $Wb)))
                                              (local.get $voff))
                                     (i32.const 0) (local.get $dqkv)))
              (local.set $dk (i32.sub (i32.add (local.get $dv) (local.get $koff)) (local.get $voff)))
              (local.set $t (i32.and (i32.sub (local.get $j) (local.get $P)) (i32.const -4)))))
          (if (local.get $dv)
            (then
              (block $t3done (loop $t3loop
                (br_if $t3done (i32.ge_s (local.get $t) (local.get $T)))
                (local.set $g (i32.add (local.get $g0) (i32.mul (local.get $t) (local.get $Gb))))
                (local.set $q (i32.add (local.get $q0) (i32.mul (local.get $t) (local.get $Wb))))
                (local.set $c (i32.add (i32.mul (local.get $t) (local.get $Lb)) (i32.shl (local.get $j) (i32.const 2))))
                (if (i32.lt_s (local.get $t) (local.get $T4))
                  (then
                    (call $axpy4 (local.get $dv) (local.get $g) (i32.add (local.get $g) (local.get $Gb))
                                 (i32.add (local.get $g) (i32.shl (local.get $Gb) (i32.const 1)))
                                 (i32.add (local.get $g) (i32.mul (local.get $Gb) (i32.const 3)))
                                 (f32.load (i32.add (local.get $a0) (local.get $c)))
                                 (f32.load (i32.add (i32.add (local.get $a0) (local.get $c)) (local.get $Lb)))
                                 (f32.load (i32.add (i32.add (local.get $a0) (local.get $c)) (i32.shl (local.get $Lb) (i32.const 1))))
                                 (f32.load (i32.add (i32.add (local.get $a0) (local.get $c)) (i32.mul (local.get $Lb) (i32.const 3))))
                                 (local.get $HS))
                    (call $axpy4 (local.get $dk) (local.get $q) (i32.add (local.get $q) (local.get $Wb))
                                 (i32.add (local.get $q) (i32.shl (local.get $Wb) (i32.const 1)))
                                 (i32.add (local.get $q) (i32.mul (local.get $Wb) (i32.const 3)))
                                 (f32.load (i32.add (local.get $d0) (local.get $c)))
                                 (f32.load (i32.add (i32.add (local.get $d0) (local.get $c)) (local.get $Lb)))
                                 (f32.load (i32.add (i32.add (local.get $d0) (local.get $c)) (i32.shl (local.get $Lb) (i32.const 1))))
                                 (f32.load (i32.add (i32.add (local.get $d0) (local.get $c)) (i32.mul (local.get $Lb) (i32.const 3))))
                                 (local.get $HS))
                    (local.set $t (i32.add (local.get $t) (i32.const 4))))
                  (else
                    (call $axpy (local.get $dv) (f32.load (i32.add (local.get $a0) (local.get $c))) (local.get $g) (local.get $HS))
                    (call $axpy (local.get $dk) (f32.load (i32.add (local.get $d0) (local.get $c))) (local.get $q) (local.get $HS))
                    (local.set $t (i32.add (local.get $t) (i32.const 1)))))
                (br $t3loop)))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $j3loop)))
        ;; 4. dq_t over the n = P+t+1 positions t sees, four at a time, then
        ;; the positions left
        (if (local.get $dq0)
          (then
            (local.set $t (i32.const 0))
            (block $t4done (loop $t4loop
              (br_if $t4done (i32.ge_s (local.get $t) (local.get $T)))
              (local.set $n (i32.add (i32.add (local.get $P) (local.get $t)) (i32.const 1)))
              (local.set $drow (i32.add (local.get $d0) (i32.mul (local.get $t) (local.get $Lb))))
              (local.set $q (i32.add (local.get $dq0) (i32.mul (local.get $t) (local.get $Wb))))
              (local.set $j (i32.const 0))
              (block $j4done (loop $j4loop
                (br_if $j4done (i32.ge_s (local.get $j) (local.get $n)))
                (if (i32.le_s (i32.add (local.get $j) (i32.const 4)) (local.get $n))
                  (then
                    (call $axpy4 (local.get $q)
                                 (call $krow (local.get $j) (local.get $pastk) (local.get $Sb) (local.get $poff) (local.get $P)
                                             (i32.add (local.get $qkv) (local.get $boff)) (local.get $Wb) (local.get $koff))
                                 (call $krow (i32.add (local.get $j) (i32.const 1)) (local.get $pastk) (local.get $Sb) (local.get $poff) (local.get $P)
                                             (i32.add (local.get $qkv) (local.get $boff)) (local.get $Wb) (local.get $koff))
                                 (call $krow (i32.add (local.get $j) (i32.const 2)) (local.get $pastk) (local.get $Sb) (local.get $poff) (local.get $P)
                                             (i32.add (local.get $qkv) (local.get $boff)) (local.get $Wb) (local.get $koff))
                                 (call $krow (i32.add (local.get $j) (i32.const 3)) (local.get $pastk) (local.get $Sb) (local.get $poff) (local.get $P)
                                             (i32.add (local.get $qkv) (local.get $boff)) (local.get $Wb) (local.get $koff))
                                 (f32.load offset=0 (i32.add (local.get $drow) (i32.shl (local.get $j) (i32.const 2))))
                                 (f32.load offset=4 (i32.add (local.get $drow) (i32.shl (local.get $j) (i32.const 2))))
                                 (f32.load offset=8 (i32.add (local.get $drow) (i32.shl (local.get $j) (i32.const 2))))
                                 (f32.load offset=12 (i32.add (local.get $drow) (i32.shl (local.get $j) (i32.const 2))))
                                 (local.get $HS))
                    (local.set $j (i32.add (local.get $j) (i32.const 4))))
                  (else
                    (call $axpy (local.get $q) (f32.load (i32.add (local.get $drow) (i32.shl (local.get $j) (i32.const 2))))
                                (call $krow (local.get $j) (local.get $pastk) (local.get $Sb) (local.get $poff) (local.get $P)
                                            (i32.add (local.get $qkv) (local.get $boff)) (local.get $Wb) (local.get $koff))
                                (local.get $HS))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))))
                (br $j4loop)))
              (local.set $t (i32.add (local.get $t) (i32.const 1)))
              (br $t4loop)))))
        (local.set $h (i32.add (local.get $h) (i32.const 1)))
        (br $hloop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bloop))))

  ;; $krow is the address of row j of the keys (or values) one head sees:
  ;; past + j*Sb + poff for j < P, else tok + (j-P)*Wb + off.
  (func $krow (param $j i32) (param $past i32) (param $Sb i32) (param $poff i32) (param $P i32) (param $boff i32) (param $Wb i32)
        (param $off i32) (result i32)
    (select (i32.add (i32.add (local.get $past) (i32.mul (local.get $j) (local.get $Sb))) (local.get $poff))
            (i32.add (i32.add (local.get $boff) (i32.mul (i32.sub (local.get $j) (local.get $P)) (local.get $Wb))) (local.get $off))
            (i32.lt_s (local.get $j) (local.get $P))))
