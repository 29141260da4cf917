package wat

import (
	"fmt"
	"strings"
)

// The GEMM is blocked as in GotoBLAS: for each block of nc <= NC output
// columns and kc <= KC steps of k, the B block is packed into panels of 8
// columns (k-major, zero-padded); for each block of mc <= MC rows, the A
// block is packed into panels of MR rows; then an MR x 8 register tile
// runs over every pair of panels. Partial tiles at the edges go through a
// small tile buffer so that nothing outside the output is read or written.
//
// The workspace (ABI.md: 1 MiB) holds the packed A block, the packed B block
// and the tile buffer.
//
// In Chromium at 512x768x768 and 512x768x3072, none of KC 192, 320 or 384,
// MC 60, 120 or 180, NC 768, nor the tile loops swapped (A panel outer)
// beat these blocks by more than 1 %. Packing is about 6 % of the product
// (A 3 %, B 2.5 %: the time saved by skipping either); packing A with
// shuffles instead of lane stores gained nothing. Starting the tile from
// zero and adding C at the end gained 1.4 % but would sum in another order
// than the reference loops, which the plain build matches bit for bit.
const (
	blockK    = 256 // KC
	blockRows = 90  // MC, a multiple of both tile heights (5 and 6)
	blockCols = 512 // NC, a multiple of the tile width 8
)

// tile is the register tile of a build: mr rows of 8 columns, accumulated
// with mul+add (plain) or relaxed_madd, one k step per loop iteration.
// On x64, V8 allocates 15 vector registers. Per k step, the plain 5x8 tile
// issues 10 mul and 10 add (the 4 floating-point pipes of the machine busy
// for 5 cycles) among 30 instructions (a 6-wide front end also needs 5),
// so it runs at the pipes' limit where the 4x8 tile, front-end bound (26
// instructions for 16 operations), does not; it holds 10 accumulators, 2
// vectors of B, the broadcast of A and the product: 14 registers. The
// relaxed 6x8 tile (12 relaxed_madd per step, 15 registers) is bound by
// the two multiply-add pipes. Unrolling the k loop gains nothing in
// Chromium 156, Firefox 153 or WebKitGTK's JavaScriptCore, and costs a
// third in V8 11 (Node.js 20), which hoists all the unrolled broadcasts of
// A and spills accumulators; larger tiles spill everywhere.
//
// The plain GEMM reaches about 0.8 of its native ceiling (tests/browser/
// kernels/ceiling), the relaxed one about 0.9-0.97. V8 14 unrolls both k
// loops three times and keeps an interrupt check in each unrolled
// iteration. Neither a k loop unrolled twice in the source nor an inner
// loop of constant trip count (whose check V8 14 does not drop) made the
// plain tile faster; natively, its fast phase moves by a tenth with loop
// alignment alone, so the remaining gap could not be pinned on one cause.
//
// A profile of Chromium 156 at 512x768x768 (perf record of the renderer
// started with --js-flags=--perf-prof, then perf inject --jit and perf
// annotate) puts 95 % of the product in $micro and 4 % in packing. V8's
// code for the plain k loop is the native tile's instruction stream, three
// k steps per pass, plus per pass four lea (the A offsets added to the
// memory base: a load32_splat does not fold its offset), two moves and one
// interrupt check. Packing A pre-broadcast (v128.load at offsets, no lea)
// removed all but the check: the tile ran 1.6 % faster, the product 3 %
// slower for the fourfold A panel.
type tile struct {
	mr      int
	relaxed bool
}

func buildTile(relaxed bool) tile {
	if relaxed {
		return tile{mr: 6, relaxed: true}
	}
	return tile{mr: 5}
}

// writeGEMM writes $gemm, the strided product every matrix export shares,
// and the matrix exports.
func writeGEMM(b *strings.Builder, relaxed bool) {
	t := buildTile(relaxed)
	wsA := blockRows * blockK * 4
	wsB := blockK * blockCols * 4
	if ws := wsA + wsB + t.mr*8*4; ws > 1<<20 {
		panic(fmt.Sprintf("wat: GEMM blocks need %d bytes, more than the 1 MiB workspace", ws))
	}
	r := strings.NewReplacer("MR", fmt.Sprint(t.mr), "KC", fmt.Sprint(blockK), "MC", fmt.Sprint(blockRows),
		"NC", fmt.Sprint(blockCols), "WSA", fmt.Sprint(wsA), "WSB", fmt.Sprint(wsB))
	b.WriteString(r.Replace(gemmDriver))
	b.WriteString(r.Replace(gemmPack))
	writePackA(b, t.mr)
	writePackBT(b)
	writeMicro(b, t)
	b.WriteString(gemmExports)
}

// gemmDriver is $gemm: C[r][j] += sum_k A(r,k) B(k,j) for rows r in
// [r0,r1) and columns j in [c0,c1), k ascending from the current C, where
// C(r,j) = c + r*ldc + 4j, A(r,k) = a + r*ars + k*aks and
// B(k,j) = b + k*bks + j*bjs (byte addresses) of type bt (wtype: 0 float32,
// 1 F16, 2 BF16; a 16-bit B is widened as it is packed).
const gemmDriver = `
  ;; ---- gemm (MR x 8 tiles, blocks KC x MC x NC) ----

  (func $min (param $x i32) (param $y i32) (result i32)
    (select (local.get $x) (local.get $y) (i32.lt_s (local.get $x) (local.get $y))))

  (func $gemm (param $c i32) (param $ldc i32) (param $a i32) (param $ars i32) (param $aks i32)
        (param $b i32) (param $bks i32) (param $bjs i32) (param $bt i32) (param $K i32)
        (param $r0 i32) (param $r1 i32) (param $c0 i32) (param $c1 i32) (param $ws i32)
    (local $pa i32) (local $pb i32) (local $tile i32) (local $jc i32) (local $nc i32) (local $pc i32) (local $kc i32)
    (local $ic i32) (local $mc i32) (local $jr i32) (local $ir i32) (local $nr i32) (local $mr i32) (local $cp i32)
    (local $src i32)
    (local.set $pa (local.get $ws))
    (local.set $pb (i32.add (local.get $ws) (i32.const WSA)))
    (local.set $tile (i32.add (local.get $pb) (i32.const WSB)))
    (local.set $jc (local.get $c0))
    (block $jcdone (loop $jcloop
      (br_if $jcdone (i32.ge_s (local.get $jc) (local.get $c1)))
      (local.set $nc (call $min (i32.const NC) (i32.sub (local.get $c1) (local.get $jc))))
      (local.set $pc (i32.const 0))
      (block $pcdone (loop $pcloop
        (br_if $pcdone (i32.ge_s (local.get $pc) (local.get $K)))
        (local.set $kc (call $min (i32.const KC) (i32.sub (local.get $K) (local.get $pc))))
        ;; pack the B block into panels of 8 columns
        (local.set $jr (i32.const 0))
        (block $pbdone (loop $pbloop
          (br_if $pbdone (i32.ge_s (local.get $jr) (local.get $nc)))
          (local.set $nr (call $min (i32.const 8) (i32.sub (local.get $nc) (local.get $jr))))
          (local.set $src (i32.add (i32.add (local.get $b) (i32.mul (local.get $pc) (local.get $bks)))
                                   (i32.mul (i32.add (local.get $jc) (local.get $jr)) (local.get $bjs))))
          (local.set $cp (i32.add (local.get $pb) (i32.shl (i32.mul (local.get $jr) (local.get $kc)) (i32.const 2))))
          (call $pack_b (local.get $cp) (local.get $src) (local.get $bks) (local.get $bjs) (local.get $nr) (local.get $kc) (local.get $bt))
          (local.set $jr (i32.add (local.get $jr) (i32.const 8)))
          (br $pbloop)))
        (local.set $ic (local.get $r0))
        (block $icdone (loop $icloop
          (br_if $icdone (i32.ge_s (local.get $ic) (local.get $r1)))
          (local.set $mc (call $min (i32.const MC) (i32.sub (local.get $r1) (local.get $ic))))
          ;; pack the A block into panels of MR rows
          (local.set $ir (i32.const 0))
          (block $padone (loop $paloop
            (br_if $padone (i32.ge_s (local.get $ir) (local.get $mc)))
            (local.set $mr (call $min (i32.const MR) (i32.sub (local.get $mc) (local.get $ir))))
            (local.set $src (i32.add (i32.add (local.get $a) (i32.mul (i32.add (local.get $ic) (local.get $ir)) (local.get $ars)))
                                     (i32.mul (local.get $pc) (local.get $aks))))
            (local.set $cp (i32.add (local.get $pa) (i32.shl (i32.mul (local.get $ir) (local.get $kc)) (i32.const 2))))
            (if (i32.eq (local.get $mr) (i32.const MR))
              (then (call $pack_a (local.get $cp) (local.get $src) (local.get $ars) (local.get $aks) (local.get $kc)))
              (else (call $pack (local.get $cp) (local.get $src) (local.get $aks) (local.get $ars)
                                (i32.const MR) (local.get $mr) (local.get $kc))))
            (local.set $ir (i32.add (local.get $ir) (i32.const MR)))
            (br $paloop)))
          ;; every tile of the block
          (local.set $jr (i32.const 0))
          (block $jrdone (loop $jrloop
            (br_if $jrdone (i32.ge_s (local.get $jr) (local.get $nc)))
            (local.set $nr (call $min (i32.const 8) (i32.sub (local.get $nc) (local.get $jr))))
            (local.set $ir (i32.const 0))
            (block $irdone (loop $irloop
              (br_if $irdone (i32.ge_s (local.get $ir) (local.get $mc)))
              (local.set $mr (call $min (i32.const MR) (i32.sub (local.get $mc) (local.get $ir))))
              (local.set $cp (i32.add (i32.add (local.get $c) (i32.mul (i32.add (local.get $ic) (local.get $ir)) (local.get $ldc)))
                                      (i32.shl (i32.add (local.get $jc) (local.get $jr)) (i32.const 2))))
              (if (i32.and (i32.eq (local.get $mr) (i32.const MR)) (i32.eq (local.get $nr) (i32.const 8)))
                (then
                  (call $micro (i32.add (local.get $pa) (i32.shl (i32.mul (local.get $ir) (local.get $kc)) (i32.const 2)))
                               (i32.add (local.get $pb) (i32.shl (i32.mul (local.get $jr) (local.get $kc)) (i32.const 2)))
                               (local.get $cp) (local.get $ldc) (local.get $kc)))
                (else
                  (call $tile_copy (local.get $tile) (i32.const 32) (local.get $cp) (local.get $ldc) (local.get $mr) (local.get $nr))
                  (call $micro (i32.add (local.get $pa) (i32.shl (i32.mul (local.get $ir) (local.get $kc)) (i32.const 2)))
                               (i32.add (local.get $pb) (i32.shl (i32.mul (local.get $jr) (local.get $kc)) (i32.const 2)))
                               (local.get $tile) (i32.const 32) (local.get $kc))
                  (call $tile_copy (local.get $cp) (local.get $ldc) (local.get $tile) (i32.const 32) (local.get $mr) (local.get $nr))))
              (local.set $ir (i32.add (local.get $ir) (i32.const MR)))
              (br $irloop)))
            (local.set $jr (i32.add (local.get $jr) (i32.const 8)))
            (br $jrloop)))
          (local.set $ic (i32.add (local.get $ic) (i32.const MC)))
          (br $icloop)))
        (local.set $pc (i32.add (local.get $pc) (i32.const KC)))
        (br $pcloop)))
      (local.set $jc (i32.add (local.get $jc) (i32.const NC)))
      (br $jcloop))))
`

// gemmPack holds the generic packing and the edge-tile copy.
const gemmPack = `
  ;; $pack writes a panel of w lanes for kc steps: dst[k*w + j] = src[k*ks + j*js]
  ;; (byte strides) for j < n, 0 for n <= j < w.
  (func $pack (param $dst i32) (param $src i32) (param $ks i32) (param $js i32) (param $w i32) (param $n i32) (param $kc i32)
    (local $j i32) (local $p i32)
    (block $kdone (loop $kloop
      (br_if $kdone (i32.le_s (local.get $kc) (i32.const 0)))
      (local.set $p (local.get $src))
      (local.set $j (i32.const 0))
      (block $jdone (loop $jloop
        (br_if $jdone (i32.ge_s (local.get $j) (local.get $w)))
        (f32.store (local.get $dst)
          (if (result f32) (i32.lt_s (local.get $j) (local.get $n))
            (then (f32.load (local.get $p)))
            (else (f32.const 0))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $p (i32.add (local.get $p) (local.get $js)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $jloop)))
      (local.set $src (i32.add (local.get $src) (local.get $ks)))
      (local.set $kc (i32.sub (local.get $kc) (i32.const 1)))
      (br $kloop))))

  ;; $pack_brows writes a full B panel whose columns are contiguous: dst[k*8 + j] = src[k*ks + 4j].
  (func $pack_brows (param $dst i32) (param $src i32) (param $ks i32) (param $kc i32)
    (block $done (loop $k
      (br_if $done (i32.le_s (local.get $kc) (i32.const 0)))
      (v128.store (local.get $dst) (v128.load (local.get $src)))
      (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $src)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
      (local.set $src (i32.add (local.get $src) (local.get $ks)))
      (local.set $kc (i32.sub (local.get $kc) (i32.const 1)))
      (br $k))))

  ;; $tile_copy copies rows x cols floats from src (row stride ls bytes) to
  ;; dst (row stride ld bytes).
  (func $tile_copy (param $dst i32) (param $ld i32) (param $src i32) (param $ls i32) (param $rows i32) (param $cols i32)
    (local $j i32)
    (block $rdone (loop $rloop
      (br_if $rdone (i32.le_s (local.get $rows) (i32.const 0)))
      (local.set $j (i32.const 0))
      (block $jdone (loop $jloop
        (br_if $jdone (i32.ge_s (local.get $j) (i32.shl (local.get $cols) (i32.const 2))))
        (f32.store (i32.add (local.get $dst) (local.get $j)) (f32.load (i32.add (local.get $src) (local.get $j))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $jloop)))
      (local.set $dst (i32.add (local.get $dst) (local.get $ld)))
      (local.set $src (i32.add (local.get $src) (local.get $ls)))
      (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
      (br $rloop))))
`

// writePackA writes $pack_a, a full panel of mr rows: dst[k*mr + r] = A(r,k),
// the row loop unrolled. When k is contiguous (the forward and input-gradient
// products), four k of each row are loaded at once and stored lane by lane;
// when rows are (the weight gradient's dout^T), the first four rows of a k
// are one load and one store.
func writePackA(b *strings.Builder, mr int) {
	fmt.Fprintf(b, "\n  ;; $pack_a writes a full A panel: dst[k*%d + r] = src[r*rs + k*ks] for r < %d.\n", mr, mr)
	b.WriteString("  (func $pack_a (param $dst i32) (param $src i32) (param $rs i32) (param $ks i32) (param $kc i32)\n    (local $x v128)")
	for r := 0; r < mr; r++ {
		fmt.Fprintf(b, " (local $p%d i32)", r)
	}
	b.WriteString("\n")
	for r := 0; r < mr; r++ {
		fmt.Fprintf(b, "    (local.set $p%d (i32.add (local.get $src) (i32.mul (local.get $rs) (i32.const %d))))\n", r, r)
	}
	// Contiguous k (inp, dout of the forward and dinp products): four k of
	// each row per load, stored lane by lane.
	b.WriteString("    (if (i32.eq (local.get $ks) (i32.const 4)) (then (block $vdone (loop $v\n      (br_if $vdone (i32.lt_s (local.get $kc) (i32.const 4)))\n")
	for r := 0; r < mr; r++ {
		fmt.Fprintf(b, "      (local.set $x (v128.load (local.get $p%d)))\n", r)
		for k := 0; k < 4; k++ {
			fmt.Fprintf(b, "      (v128.store32_lane offset=%d %d (local.get $dst) (local.get $x))\n", 4*(k*mr+r), k)
		}
		fmt.Fprintf(b, "      (local.set $p%d (i32.add (local.get $p%d) (i32.const 16)))\n", r, r)
	}
	fmt.Fprintf(b, "      (local.set $dst (i32.add (local.get $dst) (i32.const %d)))\n", 16*mr)
	b.WriteString("      (local.set $kc (i32.sub (local.get $kc) (i32.const 4)))\n      (br $v)))))\n")
	// Contiguous rows (dout^T of the weight gradient): rows 0-3 of a k in one load.
	b.WriteString("    (if (i32.eq (local.get $rs) (i32.const 4)) (then (block $rdone (loop $rv\n      (br_if $rdone (i32.le_s (local.get $kc) (i32.const 0)))\n")
	b.WriteString("      (v128.store (local.get $dst) (v128.load (local.get $p0)))\n")
	for r := 4; r < mr; r++ {
		fmt.Fprintf(b, "      (f32.store offset=%d (local.get $dst) (f32.load offset=%d (local.get $p0)))\n", 4*r, 4*r)
	}
	fmt.Fprintf(b, "      (local.set $p0 (i32.add (local.get $p0) (local.get $ks)))\n      (local.set $dst (i32.add (local.get $dst) (i32.const %d)))\n", 4*mr)
	b.WriteString("      (local.set $kc (i32.sub (local.get $kc) (i32.const 1)))\n      (br $rv)))))\n")
	b.WriteString("    (block $done (loop $k\n      (br_if $done (i32.le_s (local.get $kc) (i32.const 0)))\n")
	for r := 0; r < mr; r++ {
		fmt.Fprintf(b, "      (f32.store offset=%d (local.get $dst) (f32.load (local.get $p%d)))\n", 4*r, r)
		fmt.Fprintf(b, "      (local.set $p%d (i32.add (local.get $p%d) (local.get $ks)))\n", r, r)
	}
	fmt.Fprintf(b, "      (local.set $dst (i32.add (local.get $dst) (i32.const %d)))\n", 4*mr)
	b.WriteString("      (local.set $kc (i32.sub (local.get $kc) (i32.const 1)))\n      (br $k))))\n")
}

// shuffle returns the i8x16.shuffle lane list that picks float lanes
// (0-3 from the first operand, 4-7 from the second).
func shuffle(lanes ...int) string {
	var s []string
	for _, l := range lanes {
		for i := 0; i < 4; i++ {
			s = append(s, fmt.Sprint(4*l+i))
		}
	}
	return strings.Join(s, " ")
}

// writePackBT writes $pack_bt, a full B panel of 8 columns whose k is
// contiguous (B = W^T of the forward matmul): four k at a time, the 8x4
// block of W is loaded as 8 vectors and transposed with shuffles.
func writePackBT(b *strings.Builder) {
	b.WriteString(`
  ;; $pack_bt writes a full B panel with contiguous k: dst[k*8 + j] = src[j*js + 4k] for j < 8.
  (func $pack_bt (param $dst i32) (param $src i32) (param $js i32) (param $kc i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local $p i32) (local $half i32)
    (block $done (loop $k4
      (br_if $done (i32.lt_s (local.get $kc) (i32.const 4)))
      (local.set $half (i32.const 0))
      (loop $halves
        (local.set $p (i32.add (local.get $src) (i32.mul (local.get $half) (i32.shl (local.get $js) (i32.const 2)))))
        (local.set $x0 (v128.load (local.get $p)))
        (local.set $x1 (v128.load (i32.add (local.get $p) (local.get $js))))
        (local.set $x2 (v128.load (i32.add (local.get $p) (i32.shl (local.get $js) (i32.const 1)))))
        (local.set $x3 (v128.load (i32.add (local.get $p) (i32.mul (local.get $js) (i32.const 3)))))
`)
	fmt.Fprintf(b, `        (local.set $t0 (i8x16.shuffle %s (local.get $x0) (local.get $x1)))
        (local.set $t1 (i8x16.shuffle %s (local.get $x0) (local.get $x1)))
        (local.set $t2 (i8x16.shuffle %s (local.get $x2) (local.get $x3)))
        (local.set $t3 (i8x16.shuffle %s (local.get $x2) (local.get $x3)))
        (local.set $p (i32.add (local.get $dst) (i32.shl (local.get $half) (i32.const 4))))
        (v128.store offset=0 (local.get $p) (i8x16.shuffle %s (local.get $t0) (local.get $t2)))
        (v128.store offset=32 (local.get $p) (i8x16.shuffle %s (local.get $t0) (local.get $t2)))
        (v128.store offset=64 (local.get $p) (i8x16.shuffle %s (local.get $t1) (local.get $t3)))
        (v128.store offset=96 (local.get $p) (i8x16.shuffle %s (local.get $t1) (local.get $t3)))
`, shuffle(0, 4, 1, 5), shuffle(2, 6, 3, 7), shuffle(0, 4, 1, 5), shuffle(2, 6, 3, 7),
		shuffle(0, 1, 4, 5), shuffle(2, 3, 6, 7), shuffle(0, 1, 4, 5), shuffle(2, 3, 6, 7))
	b.WriteString(`        (local.set $half (i32.add (local.get $half) (i32.const 1)))
        (br_if $halves (i32.lt_s (local.get $half) (i32.const 2))))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 128)))
      (local.set $kc (i32.sub (local.get $kc) (i32.const 4)))
      (br $k4)))
    (call $pack (local.get $dst) (local.get $src) (i32.const 4) (local.get $js) (i32.const 8) (i32.const 8) (local.get $kc)))
`)
}

// writeMicro writes $micro, the register tile: C[r][0..8) (row stride ldc
// bytes) += sum over kc steps of a[k*mr + r] * b[k*8 + j], over packed
// panels, k ascending.
func writeMicro(b *strings.Builder, t tile) {
	madd := func(acc, av, bv string) string {
		if t.relaxed {
			return fmt.Sprintf("(f32x4.relaxed_madd (local.get %s) (local.get %s) (local.get %s))", av, bv, acc)
		}
		return fmt.Sprintf("(f32x4.add (local.get %s) (f32x4.mul (local.get %s) (local.get %s)))", acc, av, bv)
	}
	op := "f32x4.mul + f32x4.add"
	if t.relaxed {
		op = "f32x4.relaxed_madd"
	}
	fmt.Fprintf(b, "\n  ;; $micro: the %dx8 register tile (%s).\n", t.mr, op)
	b.WriteString("  (func $micro (param $a i32) (param $b i32) (param $c i32) (param $ldc i32) (param $kc i32)\n   ")
	for r := 0; r < t.mr; r++ {
		fmt.Fprintf(b, " (local $c%d0 v128) (local $c%d1 v128)", r, r)
	}
	b.WriteString(" (local $b0 v128) (local $b1 v128) (local $av v128) (local $p i32) (local $end i32)\n")
	// Load the tile.
	for r := 0; r < t.mr; r++ {
		fmt.Fprintf(b, "    (local.set $p (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const %d))))\n", r)
		fmt.Fprintf(b, "    (local.set $c%d0 (v128.load (local.get $p)))\n    (local.set $c%d1 (v128.load offset=16 (local.get $p)))\n", r, r)
	}
	// One k step per iteration until b reaches the end of its panel.
	b.WriteString("    (local.set $end (i32.add (local.get $b) (i32.shl (local.get $kc) (i32.const 5))))\n")
	b.WriteString("    (if (i32.lt_u (local.get $b) (local.get $end)) (then (loop $k\n")
	b.WriteString("      (local.set $b0 (v128.load (local.get $b)))\n")
	b.WriteString("      (local.set $b1 (v128.load offset=16 (local.get $b)))\n")
	for r := 0; r < t.mr; r++ {
		fmt.Fprintf(b, "      (local.set $av (v128.load32_splat offset=%d (local.get $a)))\n", 4*r)
		fmt.Fprintf(b, "      (local.set $c%d0 %s)\n", r, madd(fmt.Sprintf("$c%d0", r), "$av", "$b0"))
		fmt.Fprintf(b, "      (local.set $c%d1 %s)\n", r, madd(fmt.Sprintf("$c%d1", r), "$av", "$b1"))
	}
	fmt.Fprintf(b, "      (local.set $a (i32.add (local.get $a) (i32.const %d)))\n", 4*t.mr)
	b.WriteString("      (local.set $b (i32.add (local.get $b) (i32.const 32)))\n")
	b.WriteString("      (br_if $k (i32.lt_u (local.get $b) (local.get $end))))))\n")
	// Store the tile.
	for r := 0; r < t.mr; r++ {
		fmt.Fprintf(b, "    (local.set $p (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const %d))))\n", r)
		fmt.Fprintf(b, "    (v128.store (local.get $p) (local.get $c%d0))\n    (v128.store offset=16 (local.get $p) (local.get $c%d1))\n", r, r)
	}
	b.WriteString("  )\n")
}

// gemmExports are the matrix exports, all in terms of $gemm.
const gemmExports = `
  ;; matmul: out [N,OC] = inp [N,C] @ weight [OC,C]^T + bias [OC], rows [r0,r1), columns [c0,c1); weight of type wt.
  (func (export "matmul") (param $out i32) (param $inp i32) (param $weight i32) (param $wt i32) (param $bias i32) (param $ws i32)
        (param $C i32) (param $OC i32) (param $r0 i32) (param $r1 i32) (param $c0 i32) (param $c1 i32)
    (local $r i32) (local $row i32) (local $size i32)
    (local.set $size (select (i32.const 2) (i32.const 4) (local.get $wt)))
    (local.set $r (local.get $r0))
    (block $done (loop $rows
      (br_if $done (i32.ge_s (local.get $r) (local.get $r1)))
      (local.set $row (i32.add (local.get $out) (i32.shl (i32.mul (local.get $r) (local.get $OC)) (i32.const 2))))
      (if (local.get $bias)
        (then (call $copy (local.get $row) (local.get $bias) (local.get $c0) (local.get $c1)))
        (else (call $zero (local.get $row) (local.get $c0) (local.get $c1))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows)))
    (call $gemm (local.get $out) (i32.shl (local.get $OC) (i32.const 2))
                (local.get $inp) (i32.shl (local.get $C) (i32.const 2)) (i32.const 4)
                (local.get $weight) (local.get $size) (i32.mul (local.get $C) (local.get $size)) (local.get $wt)
                (local.get $C) (local.get $r0) (local.get $r1) (local.get $c0) (local.get $c1) (local.get $ws)))

  ;; matmul_backward_dinp: dinp [N,C] += dout [N,OC] @ weight [OC,C], rows [r0,r1), columns [c0,c1); weight of type wt.
  (func (export "matmul_backward_dinp") (param $dinp i32) (param $dout i32) (param $weight i32) (param $wt i32) (param $ws i32)
        (param $C i32) (param $OC i32) (param $r0 i32) (param $r1 i32) (param $c0 i32) (param $c1 i32)
    (local $size i32)
    (local.set $size (select (i32.const 2) (i32.const 4) (local.get $wt)))
    (call $gemm (local.get $dinp) (i32.shl (local.get $C) (i32.const 2))
                (local.get $dout) (i32.shl (local.get $OC) (i32.const 2)) (i32.const 4)
                (local.get $weight) (i32.mul (local.get $C) (local.get $size)) (local.get $size) (local.get $wt)
                (local.get $OC) (local.get $r0) (local.get $r1) (local.get $c0) (local.get $c1) (local.get $ws)))

  ;; matmul_backward_dweight: dweight [OC,C] += dout [N,OC]^T @ inp [N,C], rows (o) [r0,r1), columns (c) [c0,c1).
  (func (export "matmul_backward_dweight") (param $dweight i32) (param $dout i32) (param $inp i32) (param $ws i32)
        (param $N i32) (param $C i32) (param $OC i32) (param $r0 i32) (param $r1 i32) (param $c0 i32) (param $c1 i32)
    (call $gemm (local.get $dweight) (i32.shl (local.get $C) (i32.const 2))
                (local.get $dout) (i32.const 4) (i32.shl (local.get $OC) (i32.const 2))
                (local.get $inp) (i32.shl (local.get $C) (i32.const 2)) (i32.const 4) (i32.const 0)
                (local.get $N) (local.get $r0) (local.get $r1) (local.get $c0) (local.get $c1) (local.get $ws)))
`
