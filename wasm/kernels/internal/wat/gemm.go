package wat

import "strings"

// writeGEMM writes $gemm, the strided product every matrix export shares,
// and the matrix exports.
func writeGEMM(b *strings.Builder, relaxed bool) {
	b.WriteString(gemmSimple)
	b.WriteString(gemmExports)
}

// gemmSimple is C[r][j] += sum_k A(r,k) B(k,j) for r in [r0,r1), j in
// [c0,c1), in the reference's order (k ascending, from the current C), where
// C(r,j) = c + r*ldc + 4j, A(r,k) = a + r*ars + k*aks, B(k,j) = b + k*bks + j*bjs.
const gemmSimple = `
  ;; ---- gemm ----
  (func $gemm (param $c i32) (param $ldc i32) (param $a i32) (param $ars i32) (param $aks i32)
        (param $b i32) (param $bks i32) (param $bjs i32) (param $K i32)
        (param $r0 i32) (param $r1 i32) (param $c0 i32) (param $c1 i32) (param $ws i32)
    (local $r i32) (local $j i32) (local $k i32) (local $cp i32) (local $ap i32) (local $bp i32) (local $s f32)
    (local.set $r (local.get $r0))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_s (local.get $r) (local.get $r1)))
      (local.set $j (local.get $c0))
      (block $jdone (loop $jloop
        (br_if $jdone (i32.ge_s (local.get $j) (local.get $c1)))
        (local.set $cp (i32.add (i32.add (local.get $c) (i32.mul (local.get $r) (local.get $ldc))) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $ap (i32.add (local.get $a) (i32.mul (local.get $r) (local.get $ars))))
        (local.set $bp (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $bjs))))
        (local.set $s (f32.load (local.get $cp)))
        (local.set $k (local.get $K))
        (block $kdone (loop $kloop
          (br_if $kdone (i32.le_s (local.get $k) (i32.const 0)))
          (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $ap)) (f32.load (local.get $bp)))))
          (local.set $ap (i32.add (local.get $ap) (local.get $aks)))
          (local.set $bp (i32.add (local.get $bp) (local.get $bks)))
          (local.set $k (i32.sub (local.get $k) (i32.const 1)))
          (br $kloop)))
        (f32.store (local.get $cp) (local.get $s))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $jloop)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rloop))))
`

// gemmExports are the matrix exports, all in terms of $gemm.
const gemmExports = `
  ;; matmul: out [N,OC] = inp [N,C] @ weight [OC,C]^T + bias [OC], rows [r0,r1), columns [c0,c1).
  (func (export "matmul") (param $out i32) (param $inp i32) (param $weight i32) (param $bias i32) (param $ws i32)
        (param $C i32) (param $OC i32) (param $r0 i32) (param $r1 i32) (param $c0 i32) (param $c1 i32)
    (local $r i32) (local $row i32)
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
                (local.get $weight) (i32.const 4) (i32.shl (local.get $C) (i32.const 2))
                (local.get $C) (local.get $r0) (local.get $r1) (local.get $c0) (local.get $c1) (local.get $ws)))

  ;; matmul_backward_dinp: dinp [N,C] += dout [N,OC] @ weight [OC,C], rows [r0,r1), columns [c0,c1).
  (func (export "matmul_backward_dinp") (param $dinp i32) (param $dout i32) (param $weight i32) (param $ws i32)
        (param $C i32) (param $OC i32) (param $r0 i32) (param $r1 i32) (param $c0 i32) (param $c1 i32)
    (call $gemm (local.get $dinp) (i32.shl (local.get $C) (i32.const 2))
                (local.get $dout) (i32.shl (local.get $OC) (i32.const 2)) (i32.const 4)
                (local.get $weight) (i32.shl (local.get $C) (i32.const 2)) (i32.const 4)
                (local.get $OC) (local.get $r0) (local.get $r1) (local.get $c0) (local.get $c1) (local.get $ws)))

  ;; matmul_backward_dweight: dweight [OC,C] += dout [N,OC]^T @ inp [N,C], rows (o) [r0,r1), columns (c) [c0,c1).
  (func (export "matmul_backward_dweight") (param $dweight i32) (param $dout i32) (param $inp i32) (param $ws i32)
        (param $N i32) (param $C i32) (param $OC i32) (param $r0 i32) (param $r1 i32) (param $c0 i32) (param $c1 i32)
    (call $gemm (local.get $dweight) (i32.shl (local.get $C) (i32.const 2))
                (local.get $dout) (i32.const 4) (i32.shl (local.get $OC) (i32.const 2))
                (local.get $inp) (i32.shl (local.get $C) (i32.const 2)) (i32.const 4)
                (local.get $N) (local.get $r0) (local.get $r1) (local.get $c0) (local.get $c1) (local.get $ws)))
`
