package wat

import (
	"fmt"
	"strings"
)

// Weights may be float32 or 16-bit (F16, BF16: ABI.md, "16-bit weights").
// This file writes what reads them: the exact widening of 16-bit values to
// float32, the GEMM's B-panel packing of 16-bit weights (converted while
// packed, never copied whole), the matrix-vector kernel and the encoder.

// wtype is a weight type: its ABI code and element size in bytes.
type wtype struct {
	name string
	code int
	size int
}

var (
	wF32  = wtype{"f32", 0, 4}
	wF16  = wtype{"f16", 1, 2}
	wBF16 = wtype{"bf16", 2, 2}
)

// splat is a v128.const of four equal i32 lanes.
func splat(x uint32) string { return fmt.Sprintf("(v128.const i32x4 %#x %#x %#x %#x)", x, x, x, x) }

// widen4 is the f32x4 expression of four 16-bit values of type w held in
// the low halves of the i32 lanes of local e; an F16 uses the scratch local
// h. F16: the 15 magnitude bits shifted into place are a float32 whose
// exponent is 112 too small (a float32 subnormal when the F16 is one), so a
// product by 2^112 is the exact value; exponent 31 (infinity, NaN) gets the
// float32 all-ones exponent; the sign goes back last.
func widen4(w wtype, e, h string, k [4]string) string {
	if w == wBF16 {
		return fmt.Sprintf("(i32x4.shl (local.get %s) (i32.const 16))", e)
	}
	return fmt.Sprintf(`(v128.or
        (v128.or
          (f32x4.mul (i32x4.shl (local.tee %[2]s (v128.and (local.get %[1]s) %[3]s)) (i32.const 13)) %[4]s)
          (v128.and (i32x4.gt_s (local.get %[2]s) %[5]s) %[6]s))
        (i32x4.shl (v128.xor (local.get %[1]s) (local.get %[2]s)) (i32.const 16)))`,
		e, h, k[0], k[1], k[2], k[3])
}

// f16Splats are the four constants of the F16 widening; f16Locals are the
// same held in locals $k0..$k3 (see f16Setup), where a loop has the
// registers to keep them.
var (
	f16Splats = [4]string{splat(0x7fff), splat(0x77800000), splat(0x7bff), splat(0x7f800000)}
	f16Locals = [4]string{"(local.get $k0)", "(local.get $k1)", "(local.get $k2)", "(local.get $k3)"}
)

// f16Setup sets the locals of f16Locals.
func f16Setup() string {
	var b strings.Builder
	for i, k := range f16Splats {
		fmt.Fprintf(&b, "    (local.set $k%d %s)\n", i, k)
	}
	return b.String()
}

// widen8 sets locals lo and hi to the float32 values of the eight 16-bit
// values of type w in the v128 expression x (e and h are scratch; k are the
// F16 constants).
func widen8(w wtype, x, lo, hi, e, h string, k [4]string) string {
	return fmt.Sprintf(`(local.set %[4]s %[2]s)
      (local.set %[5]s (i32x4.extend_low_i16x8_u (local.get %[4]s)))
      (local.set %[1]s %[6]s)
      (local.set %[5]s (i32x4.extend_high_i16x8_u (local.get %[4]s)))
      (local.set %[3]s %[6]s)`, lo, x, hi, "$raw", e, widen4(w, e, h, k))
}

// weightScalar holds $widen, one element of either 16-bit type, and $elem,
// the element at a byte address of a weight of any type.
const weightScalar = `
  ;; ---- 16-bit weights ----

  ;; $widen is the float32 value of the 16-bit pattern x of type wt (1 F16, 2 BF16), exactly.
  (func $widen (param $wt i32) (param $x i32) (result f32)
    (local $em i32)
    (if (i32.eq (local.get $wt) (i32.const 2))
      (then (return (f32.reinterpret_i32 (i32.shl (local.get $x) (i32.const 16))))))
    (local.set $em (i32.and (local.get $x) (i32.const 0x7fff)))
    (f32.reinterpret_i32
      (i32.or
        (i32.or (i32.reinterpret_f32 (f32.mul (f32.reinterpret_i32 (i32.shl (local.get $em) (i32.const 13))) (f32.const 0x1p112)))
                (select (i32.const 0x7f800000) (i32.const 0) (i32.gt_s (local.get $em) (i32.const 0x7bff))))
        (i32.shl (i32.and (local.get $x) (i32.const 0x8000)) (i32.const 16)))))

  ;; $elem is the weight element of type wt (0 F32) at byte address p.
  (func $elem (param $wt i32) (param $p i32) (result f32)
    (if (result f32) (local.get $wt)
      (then (call $widen (local.get $wt) (i32.load16_u (local.get $p))))
      (else (f32.load (local.get $p)))))

  ;; $pack16 is $pack of a 16-bit B: dst[k*8 + j] = B(k,j) widened, for j < n, 0 for n <= j < 8.
  (func $pack16 (param $dst i32) (param $src i32) (param $ks i32) (param $js i32) (param $n i32) (param $kc i32) (param $wt i32)
    (local $j i32) (local $p i32)
    (block $kdone (loop $kloop
      (br_if $kdone (i32.le_s (local.get $kc) (i32.const 0)))
      (local.set $p (local.get $src))
      (local.set $j (i32.const 0))
      (block $jdone (loop $jloop
        (br_if $jdone (i32.ge_s (local.get $j) (i32.const 8)))
        (f32.store (local.get $dst)
          (if (result f32) (i32.lt_s (local.get $j) (local.get $n))
            (then (call $widen (local.get $wt) (i32.load16_u (local.get $p))))
            (else (f32.const 0))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $p (i32.add (local.get $p) (local.get $js)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $jloop)))
      (local.set $src (i32.add (local.get $src) (local.get $ks)))
      (local.set $kc (i32.sub (local.get $kc) (i32.const 1)))
      (br $kloop))))
`

// writeWeights writes the 16-bit packing, $pack_b (the B-panel packing
// every GEMM calls), matvec and encoder.
func writeWeights(b *strings.Builder, relaxed bool) {
	b.WriteString(weightScalar)
	for _, w := range []wtype{wF16, wBF16} {
		writePackBT16(b, w)
		writePackBRows16(b, w)
	}
	b.WriteString(packB)
	writeMatvec(b, relaxed)
	b.WriteString(encoderWat)
}

// writePackBT16 writes $pack_bt_<w>, $pack_bt of a 16-bit W: eight k at a
// time, the 8 rows of W are loaded as 8 vectors of 8 values, widened, and
// transposed in 4x4 blocks.
func writePackBT16(b *strings.Builder, w wtype) {
	fmt.Fprintf(b, `
  ;; $pack_bt_%[1]s writes a full B panel of %[1]s W with contiguous k: dst[k*8 + j] = W(j, k), src + j*js + 2k.
  (func $pack_bt_%[1]s (param $dst i32) (param $src i32) (param $js i32) (param $kc i32)
    (local $p i32) (local $raw v128) (local $e v128) (local $h v128)
    (local $l0 v128) (local $l1 v128) (local $l2 v128) (local $l3 v128) (local $h0 v128) (local $h1 v128) (local $h2 v128) (local $h3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (block $done (loop $k8
      (br_if $done (i32.lt_s (local.get $kc) (i32.const 8)))
`, w.name)
	for half := 0; half < 2; half++ {
		fmt.Fprintf(b, "      (local.set $p (i32.add (local.get $src) (i32.mul (local.get $js) (i32.const %d))))\n", 4*half)
		for r := 0; r < 4; r++ {
			row := "(local.get $p)"
			if r > 0 {
				row = fmt.Sprintf("(i32.add (local.get $p) (i32.mul (local.get $js) (i32.const %d)))", r)
			}
			fmt.Fprintf(b, "      %s\n", widen8(w, "(v128.load "+row+")", fmt.Sprintf("$l%d", r), fmt.Sprintf("$h%d", r), "$e", "$h", f16Splats))
		}
		for i, set := range []string{"l", "h"} {
			writeTranspose4(b, "$"+set, fmt.Sprintf("(i32.add (local.get $dst) (i32.const %d))", 128*i+16*half))
		}
	}
	b.WriteString(`      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 256)))
      (local.set $kc (i32.sub (local.get $kc) (i32.const 8)))
      (br $k8)))
`)
	fmt.Fprintf(b, "    (call $pack16 (local.get $dst) (local.get $src) (i32.const 2) (local.get $js) (i32.const 8) (local.get $kc) (i32.const %d)))\n", w.code)
}

// writeTranspose4 stores the transpose of the 4x4 block in locals
// <x>0..<x>3 (rows j, columns k) as four rows k of 4 lanes at dst + 32k.
func writeTranspose4(b *strings.Builder, x, dst string) {
	fmt.Fprintf(b, `      (local.set $t0 (i8x16.shuffle %[3]s (local.get %[1]s0) (local.get %[1]s1)))
      (local.set $t1 (i8x16.shuffle %[4]s (local.get %[1]s0) (local.get %[1]s1)))
      (local.set $t2 (i8x16.shuffle %[3]s (local.get %[1]s2) (local.get %[1]s3)))
      (local.set $t3 (i8x16.shuffle %[4]s (local.get %[1]s2) (local.get %[1]s3)))
      (local.set $p %[2]s)
      (v128.store offset=0 (local.get $p) (i8x16.shuffle %[5]s (local.get $t0) (local.get $t2)))
      (v128.store offset=32 (local.get $p) (i8x16.shuffle %[6]s (local.get $t0) (local.get $t2)))
      (v128.store offset=64 (local.get $p) (i8x16.shuffle %[5]s (local.get $t1) (local.get $t3)))
      (v128.store offset=96 (local.get $p) (i8x16.shuffle %[6]s (local.get $t1) (local.get $t3)))
`, x, dst, shuffle(0, 4, 1, 5), shuffle(2, 6, 3, 7), shuffle(0, 1, 4, 5), shuffle(2, 3, 6, 7))
}

// writePackBRows16 writes $pack_brows_<w>, $pack_brows of a 16-bit B.
func writePackBRows16(b *strings.Builder, w wtype) {
	fmt.Fprintf(b, `
  ;; $pack_brows_%[1]s writes a full B panel of %[1]s whose columns are contiguous: dst[k*8 + j] = B(k, j), src + k*ks + 2j.
  (func $pack_brows_%[1]s (param $dst i32) (param $src i32) (param $ks i32) (param $kc i32)
    (local $raw v128) (local $e v128) (local $h v128) (local $lo v128) (local $hi v128)
    (block $done (loop $k
      (br_if $done (i32.le_s (local.get $kc) (i32.const 0)))
      %[2]s
      (v128.store (local.get $dst) (local.get $lo))
      (v128.store offset=16 (local.get $dst) (local.get $hi))
      (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
      (local.set $src (i32.add (local.get $src) (local.get $ks)))
      (local.set $kc (i32.sub (local.get $kc) (i32.const 1)))
      (br $k))))
`, w.name, widen8(w, "(v128.load (local.get $src))", "$lo", "$hi", "$e", "$h", f16Splats))
}

// packB is $pack_b, the packing of one B panel of n <= 8 columns for kc
// steps whatever B's type and layout: whole panels of contiguous k or of
// contiguous columns take the vector paths.
const packB = `
  ;; $pack_b writes a B panel: dst[k*8 + j] = B(k,j) = src + k*ks + j*js (bytes) of type wt, for j < n, 0 for n <= j < 8.
  (func $pack_b (param $dst i32) (param $src i32) (param $ks i32) (param $js i32) (param $n i32) (param $kc i32) (param $wt i32)
    (local $size i32)
    (local.set $size (select (i32.const 2) (i32.const 4) (local.get $wt)))
    (if (i32.eq (local.get $n) (i32.const 8))
      (then
        (if (i32.eq (local.get $ks) (local.get $size))
          (then
            (if (i32.eqz (local.get $wt)) (then (return (call $pack_bt (local.get $dst) (local.get $src) (local.get $js) (local.get $kc)))))
            (if (i32.eq (local.get $wt) (i32.const 1)) (then (return (call $pack_bt_f16 (local.get $dst) (local.get $src) (local.get $js) (local.get $kc)))))
            (return (call $pack_bt_bf16 (local.get $dst) (local.get $src) (local.get $js) (local.get $kc)))))
        (if (i32.eq (local.get $js) (local.get $size))
          (then
            (if (i32.eqz (local.get $wt)) (then (return (call $pack_brows (local.get $dst) (local.get $src) (local.get $ks) (local.get $kc)))))
            (if (i32.eq (local.get $wt) (i32.const 1)) (then (return (call $pack_brows_f16 (local.get $dst) (local.get $src) (local.get $ks) (local.get $kc)))))
            (return (call $pack_brows_bf16 (local.get $dst) (local.get $src) (local.get $ks) (local.get $kc)))))))
    (if (i32.eqz (local.get $wt))
      (then (call $pack (local.get $dst) (local.get $src) (local.get $ks) (local.get $js) (i32.const 8) (local.get $n) (local.get $kc)))
      (else (call $pack16 (local.get $dst) (local.get $src) (local.get $ks) (local.get $js) (local.get $n) (local.get $kc) (local.get $wt)))))
`

// writeMatvec writes matvec and its three typed bodies. Four weight rows at
// a time share each load of inp; eight k per step, each row with two vector
// sums (k%8 < 4 and the rest; for BF16, even and odd k) so that the two
// multiply-adds of a step do not wait for each other (mul+add in the plain
// build, relaxed_madd in the relaxed one); the remaining rows one by one.
func writeMatvec(b *strings.Builder, relaxed bool) {
	madd := func(acc, x, w string) string {
		if relaxed {
			return fmt.Sprintf("(f32x4.relaxed_madd %s %s (local.get %s))", x, w, acc)
		}
		return fmt.Sprintf("(f32x4.add (local.get %s) (f32x4.mul %s %s))", acc, x, w)
	}
	for _, w := range []wtype{wF32, wF16, wBF16} {
		fmt.Fprintf(b, `
  ;; $matvec_%[1]s: out[o] = bias[o] + inp . weight[o] (weight %[1]s) for o in [r0,r1).
  (func $matvec_%[1]s (param $out i32) (param $inp i32) (param $weight i32) (param $bias i32) (param $C i32) (param $r0 i32) (param $r1 i32)
    (local $o i32) (local $w i32) (local $row i32) (local $x i32) (local $k i32) (local $xv v128) (local $xh v128)
    (local $raw v128) (local $e v128) (local $h v128) (local $lo v128) (local $hi v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $s0 f32) (local $s1 f32) (local $s2 f32) (local $s3 f32) (local $xs f32)
    (local $k0 v128) (local $k1 v128) (local $k2 v128) (local $k3 v128)
    (local.set $row (i32.mul (local.get $C) (i32.const %[2]d)))
    (local.set $o (local.get $r0))
`, w.name, w.size)
		// F16 widening needs four constants: two rows at a time leave the
		// registers to hold them.
		blocks := []int{4, 1}
		if w == wF16 {
			b.WriteString(f16Setup())
			blocks = []int{2, 1}
		}
		for _, rows := range blocks {
			label := map[int]string{4: "quad", 2: "pair", 1: "single"}[rows]
			fmt.Fprintf(b, "    (block $%[1]sdone (loop $%[1]s\n      (br_if $%[1]sdone (i32.gt_s (i32.add (local.get $o) (i32.const %[2]d)) (local.get $r1)))\n", label, rows)
			b.WriteString("      (local.set $w (i32.add (local.get $weight) (i32.mul (local.get $o) (local.get $row))))\n")
			for r := 0; r < rows; r++ {
				fmt.Fprintf(b, "      (local.set $a%[1]d (v128.const i32x4 0 0 0 0))\n      (local.set $b%[1]d (v128.const i32x4 0 0 0 0))\n", r)
			}
			b.WriteString("      (local.set $x (local.get $inp))\n      (local.set $k (local.get $C))\n      (block $vdone (loop $vec\n        (br_if $vdone (i32.lt_s (local.get $k) (i32.const 8)))\n")
			b.WriteString("        (local.set $xv (v128.load (local.get $x)))\n        (local.set $xh (v128.load offset=16 (local.get $x)))\n")
			if w == wBF16 {
				// A BF16 vector of 8 is 4 even elements (shifted into the
				// high halves) and 4 odd ones (already in the high halves,
				// masked): x is split into its even and odd lanes to match.
				fmt.Fprintf(b, "        (local.set $e (i8x16.shuffle %s (local.get $xv) (local.get $xh)))\n", shuffle(0, 2, 4, 6))
				fmt.Fprintf(b, "        (local.set $xh (i8x16.shuffle %s (local.get $xv) (local.get $xh)))\n", shuffle(1, 3, 5, 7))
				b.WriteString("        (local.set $xv (local.get $e))\n")
			}
			for r := 0; r < rows; r++ {
				addr := rowAddr(r)
				switch w {
				case wF32:
					fmt.Fprintf(b, "        (local.set $lo (v128.load %s))\n        (local.set $hi (v128.load offset=16 %s))\n", addr, addr)
				case wBF16:
					fmt.Fprintf(b, "        (local.set $raw (v128.load %s))\n", addr)
					b.WriteString("        (local.set $lo (i32x4.shl (local.get $raw) (i32.const 16)))\n")
					fmt.Fprintf(b, "        (local.set $hi (v128.and (local.get $raw) %s))\n", splat(0xffff0000))
				default:
					fmt.Fprintf(b, "        %s\n", widen8(w, "(v128.load "+addr+")", "$lo", "$hi", "$e", "$h", f16Locals))
				}
				fmt.Fprintf(b, "        (local.set $a%d %s)\n", r, madd(fmt.Sprintf("$a%d", r), "(local.get $xv)", "(local.get $lo)"))
				fmt.Fprintf(b, "        (local.set $b%d %s)\n", r, madd(fmt.Sprintf("$b%d", r), "(local.get $xh)", "(local.get $hi)"))
			}
			b.WriteString("        (local.set $x (i32.add (local.get $x) (i32.const 32)))\n")
			fmt.Fprintf(b, "        (local.set $w (i32.add (local.get $w) (i32.const %d)))\n", 8*w.size)
			b.WriteString("        (local.set $k (i32.sub (local.get $k) (i32.const 8)))\n        (br $vec)))\n")
			for r := 0; r < rows; r++ {
				fmt.Fprintf(b, "      (local.set $s%[1]d (call $hsum4 (f32x4.add (local.get $a%[1]d) (local.get $b%[1]d))))\n", r)
			}
			b.WriteString("      (block $sdone (loop $scalar\n        (br_if $sdone (i32.le_s (local.get $k) (i32.const 0)))\n        (local.set $xs (f32.load (local.get $x)))\n")
			for r := 0; r < rows; r++ {
				fmt.Fprintf(b, "        (local.set $s%d (f32.add (local.get $s%d) (f32.mul (local.get $xs) (call $elem (i32.const %d) %s))))\n", r, r, w.code, rowAddr(r))
			}
			fmt.Fprintf(b, "        (local.set $x (i32.add (local.get $x) (i32.const 4)))\n        (local.set $w (i32.add (local.get $w) (i32.const %d)))\n", w.size)
			b.WriteString("        (local.set $k (i32.sub (local.get $k) (i32.const 1)))\n        (br $scalar)))\n")
			b.WriteString("      (local.set $w (i32.add (local.get $out) (i32.shl (local.get $o) (i32.const 2))))\n")
			b.WriteString("      (if (local.get $bias)\n        (then\n          (local.set $x (i32.add (local.get $bias) (i32.shl (local.get $o) (i32.const 2))))\n")
			for r := 0; r < rows; r++ {
				fmt.Fprintf(b, "          (local.set $s%[1]d (f32.add (f32.load offset=%[2]d (local.get $x)) (local.get $s%[1]d)))\n", r, 4*r)
			}
			b.WriteString("))\n")
			for r := 0; r < rows; r++ {
				fmt.Fprintf(b, "      (f32.store offset=%d (local.get $w) (local.get $s%d))\n", 4*r, r)
			}
			fmt.Fprintf(b, "      (local.set $o (i32.add (local.get $o) (i32.const %d)))\n      (br $%s)))\n", rows, label)
		}
		b.WriteString("  )\n")
	}
	b.WriteString(`
  ;; matvec: one-row matmul for generation: out[o] = bias[o] + inp . weight[o]
  ;; for output channels o in [r0,r1); bias may be 0; weight of type wt.
  (func (export "matvec") (param $out i32) (param $inp i32) (param $weight i32) (param $wt i32) (param $bias i32)
        (param $C i32) (param $r0 i32) (param $r1 i32)
    (if (i32.eqz (local.get $wt))
      (then (return (call $matvec_f32 (local.get $out) (local.get $inp) (local.get $weight) (local.get $bias) (local.get $C) (local.get $r0) (local.get $r1)))))
    (if (i32.eq (local.get $wt) (i32.const 1))
      (then (return (call $matvec_f16 (local.get $out) (local.get $inp) (local.get $weight) (local.get $bias) (local.get $C) (local.get $r0) (local.get $r1)))))
    (call $matvec_bf16 (local.get $out) (local.get $inp) (local.get $weight) (local.get $bias) (local.get $C) (local.get $r0) (local.get $r1)))
`)
}

// rowAddr is the address of weight row o+r at the current k.
func rowAddr(r int) string {
	switch r {
	case 0:
		return "(local.get $w)"
	case 1:
		return "(i32.add (local.get $w) (local.get $row))"
	}
	return fmt.Sprintf("(i32.add (local.get $w) (i32.mul (local.get $row) (i32.const %d)))", r)
}

// encoderWat is the encoder export.
const encoderWat = `
  ;; encoder: rows n in [r0,r1) of out [N,C]: out[n] = wte[tokens[n]] (of type wt) + wpe[P + n%T];
  ;; wpe may be 0 (no position embedding).
  (func (export "encoder") (param $out i32) (param $tokens i32) (param $wte i32) (param $wt i32) (param $wpe i32)
        (param $T i32) (param $C i32) (param $P i32) (param $r0 i32) (param $r1 i32)
    (local $n i32) (local $o i32) (local $e i32) (local $p i32) (local $c i32) (local $v f32)
    (local.set $n (local.get $r0))
    (block $done (loop $rows
      (br_if $done (i32.ge_s (local.get $n) (local.get $r1)))
      (local.set $o (i32.add (local.get $out) (i32.shl (i32.mul (local.get $n) (local.get $C)) (i32.const 2))))
      (local.set $e (i32.add (local.get $wte) (i32.mul (i32.mul (i32.load (i32.add (local.get $tokens) (i32.shl (local.get $n) (i32.const 2))))
                                                                (local.get $C))
                                                       (select (i32.const 2) (i32.const 4) (local.get $wt)))))
      (local.set $p (i32.const 0))
      (if (local.get $wpe)
        (then (local.set $p (i32.add (local.get $wpe) (i32.shl (i32.mul (i32.add (local.get $P) (i32.rem_u (local.get $n) (local.get $T)))
                                                                       (local.get $C))
                                                              (i32.const 2))))))
      (if (i32.eqz (local.get $wt))
        (then
          (if (local.get $p)
            (then (call $add (local.get $o) (local.get $e) (local.get $p) (i32.const 0) (local.get $C)))
            (else (call $copy (local.get $o) (local.get $e) (i32.const 0) (local.get $C)))))
        (else
          (local.set $c (i32.const 0))
          (block $cdone (loop $cols
            (br_if $cdone (i32.ge_s (local.get $c) (local.get $C)))
            (local.set $v (call $widen (local.get $wt) (i32.load16_u (i32.add (local.get $e) (i32.shl (local.get $c) (i32.const 1))))))
            (if (local.get $p)
              (then (local.set $v (f32.add (local.get $v) (f32.load (i32.add (local.get $p) (i32.shl (local.get $c) (i32.const 2))))))))
            (f32.store (i32.add (local.get $o) (i32.shl (local.get $c) (i32.const 2))) (local.get $v))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $cols)))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $rows))))
`
