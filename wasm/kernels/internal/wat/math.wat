  ;; ---- math.wat: transcendentals and small vector helpers (internal) ----

  ;; $exp4 is e^x per lane (Cephes expf): x = n*ln2 + r with |r| <= ln2/2,
  ;; e^r by a degree-6 polynomial, and 2^n added to the exponent bits.
  ;; Relative error < 2e-7; 0 below ln(FLT_MIN), +Inf above ln(FLT_MAX),
  ;; NaN stays NaN.
  (func $exp4 (param $x v128) (result v128)
    (local $xc v128) (local $n v128) (local $r v128) (local $p v128)
    (local.set $xc (f32x4.pmin (f32x4.pmax (local.get $x) (v128.const f32x4 -88 -88 -88 -88))
                               (v128.const f32x4 88.73 88.73 88.73 88.73)))
    (local.set $n (f32x4.nearest (f32x4.mul (local.get $xc)
                                            (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))))
    (local.set $r (f32x4.sub (f32x4.sub (local.get $xc)
                                        (f32x4.mul (local.get $n) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)))
                             (f32x4.mul (local.get $n) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $r) (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
                             (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
                             (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
                             (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
                             (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
                             (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
    (local.set $p (f32x4.add (f32x4.add (f32x4.mul (local.get $p) (f32x4.mul (local.get $r) (local.get $r)))
                                        (local.get $r))
                             (v128.const f32x4 1 1 1 1)))
    ;; p * 2^n: add n to the exponent field.
    (local.set $p (i32x4.add (local.get $p)
                             (i32x4.shl (i32x4.trunc_sat_f32x4_s (local.get $n)) (i32.const 23))))
    (local.set $p (v128.andnot (local.get $p)
                               (f32x4.lt (local.get $x) (v128.const f32x4 -87.3365447505531 -87.3365447505531 -87.3365447505531 -87.3365447505531))))
    (v128.bitselect (v128.const f32x4 inf inf inf inf) (local.get $p)
                    (f32x4.gt (local.get $x) (v128.const f32x4 88.7228391116729996 88.7228391116729996 88.7228391116729996 88.7228391116729996))))

  ;; $exp1 is $exp4 on one value (tails of vector loops).
  (func $exp1 (param $x f32) (result f32)
    (f32x4.extract_lane 0 (call $exp4 (f32x4.splat (local.get $x)))))

  ;; $tanh4 is tanh per lane: Cephes tanhf's odd polynomial for |x| < 0.625,
  ;; else sign(x) * (1 - 2/(e^(2|x|) + 1)).
  (func $tanh4 (param $x v128) (result v128)
    (local $ax v128) (local $z v128) (local $small v128) (local $large v128)
    (local.set $ax (f32x4.abs (local.get $x)))
    (local.set $z (f32x4.mul (local.get $x) (local.get $x)))
    (local.set $small (f32x4.add (f32x4.mul (local.get $z) (v128.const f32x4 -5.70498872745e-3 -5.70498872745e-3 -5.70498872745e-3 -5.70498872745e-3))
                                 (v128.const f32x4 2.06390887954e-2 2.06390887954e-2 2.06390887954e-2 2.06390887954e-2)))
    (local.set $small (f32x4.add (f32x4.mul (local.get $small) (local.get $z))
                                 (v128.const f32x4 -5.37397155531e-2 -5.37397155531e-2 -5.37397155531e-2 -5.37397155531e-2)))
    (local.set $small (f32x4.add (f32x4.mul (local.get $small) (local.get $z))
                                 (v128.const f32x4 1.33314422036e-1 1.33314422036e-1 1.33314422036e-1 1.33314422036e-1)))
    (local.set $small (f32x4.add (f32x4.mul (local.get $small) (local.get $z))
                                 (v128.const f32x4 -3.33332819422e-1 -3.33332819422e-1 -3.33332819422e-1 -3.33332819422e-1)))
    (local.set $small (f32x4.add (f32x4.mul (f32x4.mul (local.get $small) (local.get $z)) (local.get $x))
                                 (local.get $x)))
    (local.set $large (f32x4.sub (v128.const f32x4 1 1 1 1)
                                 (f32x4.div (v128.const f32x4 2 2 2 2)
                                            (f32x4.add (call $exp4 (f32x4.add (local.get $ax) (local.get $ax)))
                                                       (v128.const f32x4 1 1 1 1)))))
    (local.set $large (v128.or (local.get $large)
                               (v128.and (local.get $x) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))))
    (v128.bitselect (local.get $small) (local.get $large)
                    (f32x4.lt (local.get $ax) (v128.const f32x4 0.625 0.625 0.625 0.625))))

  ;; $expm2u2 is -2u = -2 sqrt(2/pi) (x + 0.044715 x^3) for two f64 lanes,
  ;; clamped to [-88, 88] so that later products stay finite.
  (func $expm2u2 (param $x v128) (result v128)
    (f64x2.pmin (f64x2.pmax (f64x2.mul (f64x2.mul (v128.const f64x2 -1.5957691216057308 -1.5957691216057308) (local.get $x))
                                       (f64x2.add (v128.const f64x2 1 1)
                                                  (f64x2.mul (v128.const f64x2 0.044715 0.044715)
                                                             (f64x2.mul (local.get $x) (local.get $x)))))
                            (v128.const f64x2 -88 -88))
                (v128.const f64x2 88 88)))

  ;; $expm2u4 is e^(-2u), u the argument of tanh in gelu_tanh(x) = 0.5 x (1 + tanh u).
  ;; The exponent (up to 88) is computed in f64 and split into an f32 part and
  ;; a remainder, e^(hi+lo) = e^hi (1 + lo), so that the tails keep a relative
  ;; error near that of $exp4.
  (func $expm2u4 (param $x v128) (result v128)
    (local $a v128) (local $b v128) (local $hi v128)
    (local.set $a (call $expm2u2 (f64x2.promote_low_f32x4 (local.get $x))))
    (local.set $b (call $expm2u2 (f64x2.promote_low_f32x4 (call $high2 (local.get $x)))))
    (local.set $hi (call $demote2x2 (local.get $a) (local.get $b)))
    (f32x4.mul (call $exp4 (local.get $hi))
               (f32x4.add (v128.const f32x4 1 1 1 1)
                          (call $demote2x2 (f64x2.sub (local.get $a) (f64x2.promote_low_f32x4 (local.get $hi)))
                                           (f64x2.sub (local.get $b) (f64x2.promote_low_f32x4 (call $high2 (local.get $hi))))))))

  ;; $gelu4 is gelu_tanh(x) = x * sigmoid(2u) = x / (1 + e^(-2u)).
  (func $gelu4 (param $x v128) (result v128)
    (f32x4.div (local.get $x)
               (f32x4.add (v128.const f32x4 1 1 1 1) (call $expm2u4 (local.get $x)))))

  ;; $gelu_grad4 is gelu_tanh'(x) = s + 2 x s (1-s) sqrt(2/pi) (1 + 3*0.044715 x^2)
  ;; with s = sigmoid(2u) and 1-s = e^(-2u) s.
  (func $gelu_grad4 (param $x v128) (result v128)
    (local $e v128) (local $s v128)
    (local.set $e (call $expm2u4 (local.get $x)))
    (local.set $s (f32x4.div (v128.const f32x4 1 1 1 1) (f32x4.add (v128.const f32x4 1 1 1 1) (local.get $e))))
    (f32x4.add (local.get $s)
               (f32x4.mul (f32x4.mul (f32x4.add (local.get $x) (local.get $x))
                                     (f32x4.mul (local.get $s) (f32x4.mul (local.get $e) (local.get $s))))
                          (f32x4.mul (v128.const f32x4 0.7978845608028654 0.7978845608028654 0.7978845608028654 0.7978845608028654)
                                     (f32x4.add (v128.const f32x4 1 1 1 1)
                                                (f32x4.mul (v128.const f32x4 0.134145 0.134145 0.134145 0.134145)
                                                           (f32x4.mul (local.get $x) (local.get $x))))))))

  ;; $log64 is the natural logarithm of a positive normal f64: x = m 2^e with
  ;; m in [sqrt(1/2), sqrt(2)), log m = 2 atanh((m-1)/(m+1)) by its series.
  (func $log64 (param $x f64) (result f64)
    (local $bits i64) (local $e f64) (local $m f64) (local $z f64) (local $w f64) (local $s f64)
    (local.set $bits (i64.reinterpret_f64 (local.get $x)))
    (local.set $e (f64.convert_i64_s (i64.sub (i64.shr_u (local.get $bits) (i64.const 52)) (i64.const 1023))))
    (local.set $m (f64.reinterpret_i64 (i64.or (i64.and (local.get $bits) (i64.const 0x000fffffffffffff))
                                               (i64.const 0x3ff0000000000000))))
    (if (f64.gt (local.get $m) (f64.const 1.4142135623730951))
      (then (local.set $m (f64.mul (local.get $m) (f64.const 0.5)))
            (local.set $e (f64.add (local.get $e) (f64.const 1)))))
    (local.set $z (f64.div (f64.sub (local.get $m) (f64.const 1)) (f64.add (local.get $m) (f64.const 1))))
    (local.set $w (f64.mul (local.get $z) (local.get $z)))
    ;; 1 + w/3 + w^2/5 + ... + w^10/21, Horner from the highest term.
    (local.set $s (f64.const 0.047619047619047616))
    (local.set $s (f64.add (f64.mul (local.get $s) (local.get $w)) (f64.const 0.05263157894736842)))
    (local.set $s (f64.add (f64.mul (local.get $s) (local.get $w)) (f64.const 0.058823529411764705)))
    (local.set $s (f64.add (f64.mul (local.get $s) (local.get $w)) (f64.const 0.06666666666666667)))
    (local.set $s (f64.add (f64.mul (local.get $s) (local.get $w)) (f64.const 0.07692307692307693)))
    (local.set $s (f64.add (f64.mul (local.get $s) (local.get $w)) (f64.const 0.09090909090909091)))
    (local.set $s (f64.add (f64.mul (local.get $s) (local.get $w)) (f64.const 0.1111111111111111)))
    (local.set $s (f64.add (f64.mul (local.get $s) (local.get $w)) (f64.const 0.14285714285714285)))
    (local.set $s (f64.add (f64.mul (local.get $s) (local.get $w)) (f64.const 0.2)))
    (local.set $s (f64.add (f64.mul (local.get $s) (local.get $w)) (f64.const 0.3333333333333333)))
    (local.set $s (f64.add (f64.mul (local.get $s) (local.get $w)) (f64.const 1)))
    (f64.add (f64.mul (local.get $e) (f64.const 0.6931471805599453))
             (f64.mul (f64.mul (f64.const 2) (local.get $z)) (local.get $s))))

  ;; $demote2x2 packs two f64x2 into one f32x4 (lo lanes first).
  (func $demote2x2 (param $lo v128) (param $hi v128) (result v128)
    (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
      (f32x4.demote_f64x2_zero (local.get $lo)) (f32x4.demote_f64x2_zero (local.get $hi))))

  ;; $high2 moves lanes 2 and 3 of an f32x4 to lanes 0 and 1.
  (func $high2 (param $v v128) (result v128)
    (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v) (local.get $v)))

  ;; $hsum4 adds the four lanes of v: (v0 + v1) + (v2 + v3).
  (func $hsum4 (param $v v128) (result f32)
    (f32.add (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
             (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; $dot is sum a[i]*b[i] for i < n.
  (func $dot (param $a i32) (param $b i32) (param $n i32) (result f32)
    (local $acc v128) (local $s f32)
    (block $tail
      (loop $vec
        (br_if $tail (i32.lt_s (local.get $n) (i32.const 4)))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (local.set $n (i32.sub (local.get $n) (i32.const 4)))
        (br $vec)))
    (local.set $s (call $hsum4 (local.get $acc)))
    (block $done
      (loop $scalar
        (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
        (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $a)) (f32.load (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $scalar)))
    (local.get $s))

  ;; $axpy sets y[i] += a*x[i] for i < n.
  (func $axpy (param $y i32) (param $a f32) (param $x i32) (param $n i32)
    (local $av v128)
    (local.set $av (f32x4.splat (local.get $a)))
    (block $tail
      (loop $vec
        (br_if $tail (i32.lt_s (local.get $n) (i32.const 4)))
        (v128.store (local.get $y) (f32x4.add (v128.load (local.get $y)) (f32x4.mul (local.get $av) (v128.load (local.get $x)))))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $n (i32.sub (local.get $n) (i32.const 4)))
        (br $vec)))
    (block $done
      (loop $scalar
        (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
        (f32.store (local.get $y) (f32.add (f32.load (local.get $y)) (f32.mul (local.get $a) (f32.load (local.get $x)))))
        (local.set $y (i32.add (local.get $y) (i32.const 4)))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $scalar))))
