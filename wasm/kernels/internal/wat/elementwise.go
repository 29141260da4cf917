package wat

import (
	"fmt"
	"strings"
)

// elementwise describes an export that walks slots [r0,r1) of some
// buffers, four at a time and then one at a time.
type elementwise struct {
	name, doc string
	params    []string // i32 parameters before r0, r1
	advance   []string // pointer parameters that move with the slot index
	locals    string   // extra local declarations
	setup     string   // code run once before the loops
	vec       string   // body for 4 slots (pointers are at the first of them)
	scalar    string   // body for one slot
	finish    string   // code run once after the loops
}

var elementwiseOps = []elementwise{
	{
		name: "zero", doc: "x[i] = 0",
		params: []string{"x"}, advance: []string{"x"},
		vec:    `(v128.store (local.get $x) (v128.const i32x4 0 0 0 0))`,
		scalar: `(f32.store (local.get $x) (f32.const 0))`,
	},
	{
		name: "copy", doc: "dst[i] = src[i]",
		params: []string{"dst", "src"}, advance: []string{"dst", "src"},
		vec:    `(v128.store (local.get $dst) (v128.load (local.get $src)))`,
		scalar: `(f32.store (local.get $dst) (f32.load (local.get $src)))`,
	},
	{
		name: "add", doc: "out[i] = a[i] + b[i]; out may equal a or b",
		params: []string{"out", "a", "b"}, advance: []string{"out", "a", "b"},
		vec:    `(v128.store (local.get $out) (f32x4.add (v128.load (local.get $a)) (v128.load (local.get $b))))`,
		scalar: `(f32.store (local.get $out) (f32.add (f32.load (local.get $a)) (f32.load (local.get $b))))`,
	},
	{
		name: "scale", doc: "x[i] *= s (s is f32 bits)",
		params: []string{"x", "s"}, advance: []string{"x"},
		locals: `(local $sf f32) (local $sv v128)`,
		setup: `(local.set $sf (f32.reinterpret_i32 (local.get $s)))
    (local.set $sv (f32x4.splat (local.get $sf)))`,
		vec:    `(v128.store (local.get $x) (f32x4.mul (v128.load (local.get $x)) (local.get $sv)))`,
		scalar: `(f32.store (local.get $x) (f32.mul (f32.load (local.get $x)) (local.get $sf)))`,
	},
	{
		name: "sumsq", doc: "the f64 at part = sum of x[i]^2, accumulated in f64",
		params: []string{"part", "x"}, advance: []string{"x"},
		locals: `(local $v v128) (local $lo v128) (local $hi v128) (local $acc0 v128) (local $acc1 v128) (local $s f64) (local $e f64)`,
		vec: `(local.set $v (v128.load (local.get $x)))
      (local.set $lo (f64x2.promote_low_f32x4 (local.get $v)))
      (local.set $hi (f64x2.promote_low_f32x4 (call $high2 (local.get $v))))
      (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $lo) (local.get $lo))))
      (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $hi) (local.get $hi))))`,
		scalar: `(local.set $e (f64.promote_f32 (f32.load (local.get $x))))
      (local.set $s (f64.add (local.get $s) (f64.mul (local.get $e) (local.get $e))))`,
		finish: `(local.set $acc0 (f64x2.add (local.get $acc0) (local.get $acc1)))
    (f64.store (local.get $part)
      (f64.add (local.get $s) (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0)))))`,
	},
	{
		name: "gelu", doc: "out[i] = gelu_tanh(inp[i])",
		params: []string{"out", "inp"}, advance: []string{"out", "inp"},
		vec:    `(v128.store (local.get $out) (call $gelu4 (v128.load (local.get $inp))))`,
		scalar: `(f32.store (local.get $out) (f32x4.extract_lane 0 (call $gelu4 (v128.load32_zero (local.get $inp)))))`,
	},
	{
		name: "gelu_backward", doc: "dinp[i] += gelu_tanh'(inp[i]) * dout[i]",
		params: []string{"dinp", "inp", "dout"}, advance: []string{"dinp", "inp", "dout"},
		vec: `(v128.store (local.get $dinp)
        (f32x4.add (v128.load (local.get $dinp))
                   (f32x4.mul (call $gelu_grad4 (v128.load (local.get $inp))) (v128.load (local.get $dout)))))`,
		scalar: `(f32.store (local.get $dinp)
        (f32.add (f32.load (local.get $dinp))
                 (f32.mul (f32x4.extract_lane 0 (call $gelu_grad4 (v128.load32_zero (local.get $inp)))) (f32.load (local.get $dout)))))`,
	},
	{
		name: "tanh", doc: "out[i] = tanh(inp[i])",
		params: []string{"out", "inp"}, advance: []string{"out", "inp"},
		vec:    `(v128.store (local.get $out) (call $tanh4 (v128.load (local.get $inp))))`,
		scalar: `(f32.store (local.get $out) (f32x4.extract_lane 0 (call $tanh4 (v128.load32_zero (local.get $inp)))))`,
	},
	{
		name: "tanh_backward", doc: "dinp[i] += (1 - out[i]^2) * dout[i]",
		params: []string{"dinp", "out", "dout"}, advance: []string{"dinp", "out", "dout"},
		locals: `(local $o v128) (local $os f32)`,
		vec: `(local.set $o (v128.load (local.get $out)))
      (v128.store (local.get $dinp)
        (f32x4.add (v128.load (local.get $dinp))
                   (f32x4.mul (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $o) (local.get $o)))
                              (v128.load (local.get $dout)))))`,
		scalar: `(local.set $os (f32.load (local.get $out)))
      (f32.store (local.get $dinp)
        (f32.add (f32.load (local.get $dinp))
                 (f32.mul (f32.sub (f32.const 1) (f32.mul (local.get $os) (local.get $os))) (f32.load (local.get $dout)))))`,
	},
	adamw(),
}

// adamw follows tensor's adamWRef operation by operation in float32; the
// scalars are f32 bit patterns, stepsize and bc2sqrt precomputed by the host.
func adamw() elementwise {
	scalars := []string{"lr", "beta1", "beta2", "eps", "wd", "stepsize", "bc2sqrt"}
	var locals, setup strings.Builder
	for _, s := range scalars {
		fmt.Fprintf(&locals, "(local $%s_f f32) (local $%s_v v128) ", s, s)
		fmt.Fprintf(&setup, "(local.set $%s_f (f32.reinterpret_i32 (local.get $%s)))\n    ", s, s)
	}
	// Derived scalars, computed in float32 as the reference does.
	derived := map[string]string{
		"decay": `(f32.sub (f32.const 1) (f32.mul (local.get $lr_f) (local.get $wd_f)))`,
		"omb1":  `(f32.sub (f32.const 1) (local.get $beta1_f))`,
		"omb2":  `(f32.sub (f32.const 1) (local.get $beta2_f))`,
	}
	for _, s := range []string{"decay", "omb1", "omb2"} {
		fmt.Fprintf(&locals, "(local $%s_f f32) (local $%s_v v128) ", s, s)
		fmt.Fprintf(&setup, "(local.set $%s_f %s)\n    ", s, derived[s])
		scalars = append(scalars, s)
	}
	for _, s := range scalars {
		fmt.Fprintf(&setup, "(local.set $%s_v (f32x4.splat (local.get $%s_f)))\n    ", s, s)
	}
	locals.WriteString("(local $p_v v128) (local $g_v v128) (local $mt_v v128) (local $vt_v v128) ")
	locals.WriteString("(local $p_f f32) (local $g_f f32) (local $mt_f f32) (local $vt_f f32)")
	body := func(suffix, add, mul, sub, div, sqrt, load, store string) string {
		r := strings.NewReplacer("ADD", add, "MUL", mul, "SUB", sub, "DIV", div, "SQRT", sqrt, "LOAD", load, "STORE", store, "_X", suffix)
		return r.Replace(`(local.set $p_X (MUL (LOAD (local.get $params)) (local.get $decay_X)))
      (local.set $g_X (LOAD (local.get $grads)))
      (local.set $mt_X (ADD (MUL (local.get $beta1_X) (LOAD (local.get $m))) (MUL (local.get $omb1_X) (local.get $g_X))))
      (local.set $vt_X (ADD (MUL (local.get $beta2_X) (LOAD (local.get $v)))
                            (MUL (MUL (local.get $omb2_X) (local.get $g_X)) (local.get $g_X))))
      (STORE (local.get $m) (local.get $mt_X))
      (STORE (local.get $v) (local.get $vt_X))
      (STORE (local.get $params)
        (SUB (local.get $p_X)
             (DIV (MUL (local.get $stepsize_X) (local.get $mt_X))
                  (ADD (DIV (SQRT (local.get $vt_X)) (local.get $bc2sqrt_X)) (local.get $eps_X)))))`)
	}
	vec := body("_v", "f32x4.add", "f32x4.mul", "f32x4.sub", "f32x4.div", "f32x4.sqrt", "v128.load", "v128.store")
	scalar := body("_f", "f32.add", "f32.mul", "f32.sub", "f32.div", "f32.sqrt", "f32.load", "f32.store")
	return elementwise{
		name:    "adamw",
		doc:     "one AdamW step (see tensor.Device.AdamW)",
		params:  append([]string{"params", "grads", "m", "v"}, scalars[:7]...),
		advance: []string{"params", "grads", "m", "v"},
		locals:  locals.String(),
		setup:   setup.String(),
		vec:     vec,
		scalar:  scalar,
	}
}

// writeElementwise writes op as a function named $name exported as name.
func writeElementwise(b *strings.Builder, op elementwise) {
	fmt.Fprintf(b, "\n  ;; %s: for i in [r0,r1): %s.\n", op.name, op.doc)
	fmt.Fprintf(b, "  (func $%s (export %q)", op.name, op.name)
	for _, p := range op.params {
		fmt.Fprintf(b, " (param $%s i32)", p)
	}
	b.WriteString(" (param $r0 i32) (param $r1 i32)\n    (local $n i32)")
	if op.locals != "" {
		b.WriteString(" " + op.locals)
	}
	b.WriteString("\n")
	step := func(by int) string {
		var s strings.Builder
		for _, p := range op.advance {
			fmt.Fprintf(&s, "\n      (local.set $%s (i32.add (local.get $%s) (i32.const %d)))", p, p, by)
		}
		fmt.Fprintf(&s, "\n      (local.set $n (i32.sub (local.get $n) (i32.const %d)))", by/4)
		return s.String()
	}
	for _, p := range op.advance {
		fmt.Fprintf(b, "    (local.set $%s (i32.add (local.get $%s) (i32.shl (local.get $r0) (i32.const 2))))\n", p, p)
	}
	b.WriteString("    (local.set $n (i32.sub (local.get $r1) (local.get $r0)))\n")
	if op.setup != "" {
		b.WriteString("    " + strings.TrimSpace(op.setup) + "\n")
	}
	fmt.Fprintf(b, `    (block $tail
      (loop $vec
      (br_if $tail (i32.lt_s (local.get $n) (i32.const 4)))
      %s%s
      (br $vec)))
    (block $done
      (loop $scalar
      (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
      %s%s
      (br $scalar)))`, op.vec, step(16), op.scalar, step(4))
	if op.finish != "" {
		b.WriteString("\n    " + op.finish)
	}
	b.WriteString(")\n")
}
