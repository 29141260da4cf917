package kernels

// export is one function of the kernel module; its parameters are all i32
// (see ABI.md).
type export uint8

const (
	fnZero export = iota
	fnCopy
	fnAdd
	fnScale
	fnSumSq
	fnGELU
	fnGELUBackward
	fnTanh
	fnTanhBackward
	fnAdamW
	fnEncoder
	fnEncoderBackward
	fnLayerNorm
	fnLayerNormBackwardDinp
	fnLayerNormBackwardDparams
	fnMatmul
	fnMatvec
	fnMatmulBackwardDinp
	fnMatmulBackwardDweight
	fnMatmulBackwardDbias
	fnRMSNorm
	fnRMSNormBackwardDinp
	fnRMSNormBackwardDweight
	fnRoPE
	fnRoPEBackward
	fnSwiGLU
	fnSwiGLUBackward
	fnAttention
	fnAttentionBackward
	fnCrossEntropy
	fnCrossEntropyBackward
	numExports
)

// exports gives the name and parameter count of every export.
var exports = [numExports]struct {
	name  string
	arity int
}{
	fnZero:                     {"zero", 3},
	fnCopy:                     {"copy", 4},
	fnAdd:                      {"add", 5},
	fnScale:                    {"scale", 4},
	fnSumSq:                    {"sumsq", 4},
	fnGELU:                     {"gelu", 4},
	fnGELUBackward:             {"gelu_backward", 5},
	fnTanh:                     {"tanh", 4},
	fnTanhBackward:             {"tanh_backward", 5},
	fnAdamW:                    {"adamw", 13},
	fnEncoder:                  {"encoder", 10},
	fnEncoderBackward:          {"encoder_backward", 10},
	fnLayerNorm:                {"layernorm", 10},
	fnLayerNormBackwardDinp:    {"layernorm_backward_dinp", 9},
	fnLayerNormBackwardDparams: {"layernorm_backward_dparams", 10},
	fnMatmul:                   {"matmul", 12},
	fnMatvec:                   {"matvec", 8},
	fnMatmulBackwardDinp:       {"matmul_backward_dinp", 11},
	fnMatmulBackwardDweight:    {"matmul_backward_dweight", 11},
	fnMatmulBackwardDbias:      {"matmul_backward_dbias", 6},
	fnRMSNorm:                  {"rmsnorm", 8},
	fnRMSNormBackwardDinp:      {"rmsnorm_backward_dinp", 8},
	fnRMSNormBackwardDweight:   {"rmsnorm_backward_dweight", 8},
	fnRoPE:                     {"rope", 9},
	fnRoPEBackward:             {"rope_backward", 9},
	fnSwiGLU:                   {"swiglu", 5},
	fnSwiGLUBackward:           {"swiglu_backward", 6},
	fnAttention:                {"attention", 15},
	fnAttentionBackward:        {"attention_backward", 18},
	fnCrossEntropy:             {"crossentropy", 6},
	fnCrossEntropyBackward:     {"crossentropy_backward", 7},
}

func (f export) name() string { return exports[f].name }
func (f export) arity() int   { return exports[f].arity }

const (
	// wsBytes is the size of the workspace each concurrent GEMM call needs.
	wsBytes = 1 << 20
	// reserved is the number of bytes at the start of the memory that no
	// tensor uses, so that pointer 0 can mean "absent".
	reserved = 64
	// alignBytes is the alignment of every Alloc (16 slots).
	alignBytes = 64
)
