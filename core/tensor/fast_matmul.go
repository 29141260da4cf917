package tensor

import (
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// GEMM tiles. gonum's Sgemm splits a product over GOMAXPROCS goroutines
// once C holds 4 or more blocks of 64x64; a tileM x tileN tile holds 3, so
// it runs on the goroutine that calls it and the device alone decides how
// many goroutines run. When B is not transposed gonum's kernel is a row
// update (axpy), which runs fastest (measured) with the sum over k cut in
// blocks of tileK; the dot kernel (B transposed) takes k whole. Every tile
// sums over k in the same order whoever computes it.
const tileM, tileN, tileK = 64, 192, 128

// mat is the rows x cols matrix with row stride ld starting at x[off], or
// the absent matrix (nil Data) when x is nil or rows is 0.
func mat(x []float32, off, rows, cols, ld int) blas32.General {
	if x == nil || rows == 0 || cols == 0 {
		return blas32.General{}
	}
	return blas32.General{Rows: rows, Cols: cols, Stride: ld, Data: x[off : off+(rows-1)*ld+cols]}
}

// sub is the rows x cols block of g at (r0, c0).
func sub(g blas32.General, r0, c0, rows, cols int) blas32.General {
	return mat(g.Data, r0*g.Stride+c0, rows, cols, g.Stride)
}

// gemmTiles is the number of tiles of c.
func gemmTiles(c blas32.General) int {
	return (c.Rows + tileM - 1) / tileM * ((c.Cols + tileN - 1) / tileN)
}

// inner is the inner dimension k of a product op(a) op(b).
func inner(tA blas.Transpose, a blas32.General) int {
	if tA == blas.Trans {
		return a.Rows
	}
	return a.Cols
}

// operand is the b of a product: a float32 matrix, or (h present) a 16-bit
// matrix of rows x cols elements with row stride ld whose blocks are widened
// into buf as the tiles need them, so no float32 copy of the whole matrix
// is ever made.
type operand struct {
	f              blas32.General
	h              halfs
	rows, cols, ld int
	buf            []float32
}

// absent reports an empty b.
func (b *operand) absent() bool { return b.f.Data == nil && b.h.slots == nil }

// block returns the rows x cols block of b at (r0, c0).
func (b *operand) block(r0, c0, rows, cols int) blas32.General {
	if b.h.slots == nil {
		return sub(b.f, r0, c0, rows, cols)
	}
	if cap(b.buf) < rows*cols {
		b.buf = make([]float32, tileN*tileK)
	}
	g := blas32.General{Rows: rows, Cols: cols, Stride: cols, Data: b.buf[:rows*cols]}
	for r := range rows {
		b.h.widenTo(g.Data[r*cols:(r+1)*cols], (r0+r)*b.ld+c0)
	}
	return g
}

// gemmTile computes tile t of c = alpha op(a) op(b) + beta c, as
// blas32.Gemm does, on the calling goroutine. A 16-bit b is widened in
// blocks of at most tileN x tileK.
func gemmTile(tA, tB blas.Transpose, alpha float32, a blas32.General, b *operand, beta float32, c blas32.General, t int) {
	nt := (c.Cols + tileN - 1) / tileN
	i0, j0 := t/nt*tileM, t%nt*tileN
	mi, nj := min(tileM, c.Rows-i0), min(tileN, c.Cols-j0)
	k, kc := inner(tA, a), inner(tA, a)
	if tB == blas.NoTrans || b.h.slots != nil {
		kc = tileK
	}
	ct := sub(c, i0, j0, mi, nj)
	for k0 := 0; k0 < k; k0 += kc {
		kk := min(kc, k-k0)
		var at, bt blas32.General
		if tA == blas.Trans {
			at = sub(a, k0, i0, kk, mi)
		} else {
			at = sub(a, i0, k0, mi, kk)
		}
		if tB == blas.Trans {
			bt = b.block(j0, k0, nj, kk)
		} else {
			bt = b.block(k0, j0, kk, nj)
		}
		blas32.Gemm(tA, tB, alpha, at, bt, beta, ct)
		beta = 1
	}
}

// gemm computes c = alpha op(a) op(b) + beta c (beta 0 or 1) on the
// calling goroutine. An absent c is skipped; an absent a or b is an empty
// product (k = 0).
func gemm(tA, tB blas.Transpose, alpha float32, a, b blas32.General, beta float32, c blas32.General) {
	gemmOn(tA, tB, alpha, a, &operand{f: b}, beta, c)
}

// gemmOn is gemm with b a float32 or a 16-bit operand.
func gemmOn(tA, tB blas.Transpose, alpha float32, a blas32.General, b *operand, beta float32, c blas32.General) {
	if c.Data == nil {
		return
	}
	if a.Data == nil || b.absent() {
		if beta == 0 {
			for i := range c.Rows {
				clear(c.Data[i*c.Stride:][:c.Cols])
			}
		}
		return
	}
	for t := range gemmTiles(c) {
		gemmTile(tA, tB, alpha, a, b, beta, c, t)
	}
}

// gemm is gemmOn with the tiles shared by up to d.threads goroutines, each
// with its own copy of b (and so its own widening buffer).
func (d *Fast) gemm(tA, tB blas.Transpose, alpha float32, a blas32.General, b operand, beta float32, c blas32.General) {
	tiles := gemmTiles(c)
	workers := min(d.threads, tiles, c.Rows*c.Cols*inner(tA, a)/minWork)
	if workers <= 1 || c.Data == nil || a.Data == nil || b.absent() {
		gemmOn(tA, tB, alpha, a, &b, beta, c)
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			b := b
			for t := int(next.Add(1) - 1); t < tiles; t = int(next.Add(1) - 1) {
				gemmTile(tA, tB, alpha, a, &b, beta, c, t)
			}
		})
	}
	wg.Wait()
}

// weightOperand is the weight [OC,C] of Matmul as a product's b.
func (d *Fast) weightOperand(weight Tensor, OC, C int) operand {
	if weight.DType != F32 {
		return operand{h: d.h16(weight), rows: OC, cols: C, ld: C}
	}
	return operand{f: mat(d.F(weight), 0, OC, C, C)}
}

func (d *Fast) Matmul(out, inp, weight, bias Tensor, N, C, OC int) {
	o, b := mat(d.F(out), 0, N, OC, OC), d.opt(bias)
	beta := float32(0)
	if b != nil {
		beta = 1
		d.run(N, OC, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				copy(o.Data[i*OC:(i+1)*OC], b)
			}
		})
	}
	d.gemm(blas.NoTrans, blas.Trans, 1, mat(d.F(inp), 0, N, C, C), d.weightOperand(weight, OC, C), beta, o)
}

func (d *Fast) MatmulBackward(dinp, dweight, dbias, dout, inp, weight Tensor, N, C, OC int) {
	g := mat(d.F(dout), 0, N, OC, OC)
	if !dinp.Absent() {
		d.gemm(blas.NoTrans, blas.NoTrans, 1, g, d.weightOperand(weight, OC, C), 1, mat(d.F(dinp), 0, N, C, C))
	}
	if weight.DType != F32 {
		frozen16(dweight, weight)
	} else if !dweight.Absent() {
		d.gemm(blas.Trans, blas.NoTrans, 1, g, operand{f: mat(d.F(inp), 0, N, C, C)}, 1, mat(d.F(dweight), 0, OC, C, C))
	}
	if db := d.opt(dbias); db != nil {
		d.run(OC, N, func(o0, o1 int) {
			for i := range N {
				for o, v := range g.Data[i*OC+o0 : i*OC+o1] {
					db[o0+o] += v
				}
			}
		})
	}
}
