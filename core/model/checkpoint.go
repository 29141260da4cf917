package model

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"prefixtune/core/safetensors"
	"prefixtune/core/tensor"
)

// hfTensor is one Hugging Face tensor and its place in Params.
type hfTensor struct {
	name  string                        // GPT-2: without "transformer."
	dst   func(p *Params) tensor.Tensor // the elements it fills
	shape []int                         // as Hugging Face stores it
	conv  bool                          // a GPT-2 Conv1D weight stored [in, out]: transposed to [out, in]
}

// hfTensors lists the tensors of a checkpoint of c, layer by layer.
func hfTensors(c Config) []hfTensor {
	if c.Llama() {
		return llamaTensors(c)
	}
	C, L := c.NEmbd, c.NLayer
	ts := []hfTensor{
		{"wte.weight", func(p *Params) tensor.Tensor { return p.WTE }, []int{c.VocabSize, C}, false},
		{"wpe.weight", func(p *Params) tensor.Tensor { return p.WPE }, []int{c.NPositions, C}, false},
	}
	for l := 0; l < L; l++ {
		at := func(f func(p *Params) tensor.Tensor) func(p *Params) tensor.Tensor {
			return func(p *Params) tensor.Tensor { return layer(f(p), l, L) }
		}
		h := fmt.Sprintf("h.%d.", l)
		ts = append(ts,
			hfTensor{h + "ln_1.weight", at(func(p *Params) tensor.Tensor { return p.LN1W }), []int{C}, false},
			hfTensor{h + "ln_1.bias", at(func(p *Params) tensor.Tensor { return p.LN1B }), []int{C}, false},
			hfTensor{h + "attn.c_attn.weight", at(func(p *Params) tensor.Tensor { return p.QKVW }), []int{C, 3 * C}, true},
			hfTensor{h + "attn.c_attn.bias", at(func(p *Params) tensor.Tensor { return p.QKVB }), []int{3 * C}, false},
			hfTensor{h + "attn.c_proj.weight", at(func(p *Params) tensor.Tensor { return p.AttProjW }), []int{C, C}, true},
			hfTensor{h + "attn.c_proj.bias", at(func(p *Params) tensor.Tensor { return p.AttProjB }), []int{C}, false},
			hfTensor{h + "ln_2.weight", at(func(p *Params) tensor.Tensor { return p.LN2W }), []int{C}, false},
			hfTensor{h + "ln_2.bias", at(func(p *Params) tensor.Tensor { return p.LN2B }), []int{C}, false},
			hfTensor{h + "mlp.c_fc.weight", at(func(p *Params) tensor.Tensor { return p.FCW }), []int{C, 4 * C}, true},
			hfTensor{h + "mlp.c_fc.bias", at(func(p *Params) tensor.Tensor { return p.FCB }), []int{4 * C}, false},
			hfTensor{h + "mlp.c_proj.weight", at(func(p *Params) tensor.Tensor { return p.FCProjW }), []int{4 * C, C}, true},
			hfTensor{h + "mlp.c_proj.bias", at(func(p *Params) tensor.Tensor { return p.FCProjB }), []int{C}, false},
		)
	}
	return append(ts,
		hfTensor{"ln_f.weight", func(p *Params) tensor.Tensor { return p.LNFW }, []int{C}, false},
		hfTensor{"ln_f.bias", func(p *Params) tensor.Tensor { return p.LNFB }, []int{C}, false},
	)
}

// llamaTensors lists the tensors of a LlamaForCausalLM checkpoint. q_proj,
// k_proj and v_proj fill consecutive rows of a layer's qkvw; gate_proj and
// up_proj those of its fcw.
func llamaTensors(c Config) []hfTensor {
	C, L, I := c.NEmbd, c.NLayer, c.Intermediate
	Q, D := c.NHead*c.HeadSize(), c.TokenDim()
	ts := []hfTensor{{"model.embed_tokens.weight", func(p *Params) tensor.Tensor { return p.WTE }, []int{c.VocabSize, C}, false}}
	for l := 0; l < L; l++ {
		// rows returns n rows of C from row r of layer l of a field.
		rows := func(f func(p *Params) tensor.Tensor, r, n, width int) func(p *Params) tensor.Tensor {
			return func(p *Params) tensor.Tensor { return layer(f(p), l, L).Slice(r*width, n*width) }
		}
		whole := func(f func(p *Params) tensor.Tensor) func(p *Params) tensor.Tensor {
			return func(p *Params) tensor.Tensor { return layer(f(p), l, L) }
		}
		qkv := func(p *Params) tensor.Tensor { return p.QKVW }
		fc := func(p *Params) tensor.Tensor { return p.FCW }
		h := fmt.Sprintf("model.layers.%d.", l)
		ts = append(ts,
			hfTensor{h + "input_layernorm.weight", whole(func(p *Params) tensor.Tensor { return p.LN1W }), []int{C}, false},
			hfTensor{h + "self_attn.q_proj.weight", rows(qkv, 0, Q, C), []int{Q, C}, false},
			hfTensor{h + "self_attn.k_proj.weight", rows(qkv, Q, D, C), []int{D, C}, false},
			hfTensor{h + "self_attn.v_proj.weight", rows(qkv, Q+D, D, C), []int{D, C}, false},
			hfTensor{h + "self_attn.o_proj.weight", whole(func(p *Params) tensor.Tensor { return p.AttProjW }), []int{C, Q}, false},
			hfTensor{h + "post_attention_layernorm.weight", whole(func(p *Params) tensor.Tensor { return p.LN2W }), []int{C}, false},
			hfTensor{h + "mlp.gate_proj.weight", rows(fc, 0, I, C), []int{I, C}, false},
			hfTensor{h + "mlp.up_proj.weight", rows(fc, I, I, C), []int{I, C}, false},
			hfTensor{h + "mlp.down_proj.weight", whole(func(p *Params) tensor.Tensor { return p.FCProjW }), []int{C, I}, false},
		)
	}
	ts = append(ts, hfTensor{"model.norm.weight", func(p *Params) tensor.Tensor { return p.LNFW }, []int{C}, false})
	if c.Untied {
		ts = append(ts, hfTensor{"lm_head.weight", func(p *Params) tensor.Tensor { return p.LMHead }, []int{c.VocabSize, C}, false})
	}
	return ts
}

// Load reads a Hugging Face GPT-2 or Llama directory (config.json and
// model.safetensors) onto d.
func Load(d tensor.Device, dir string) (*Model, error) {
	c, err := LoadConfig(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "model.safetensors")
	f, err := safetensors.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := FromSafetensors(d, c, f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// FromSafetensors builds a model for c on d from the weights in f (GPT-2
// names may or may not start with "transformer."). When every weight
// matrix in f is F16, or every one BF16, the matrices stay 16-bit on d
// (frozen); otherwise everything is float32.
func FromSafetensors(d tensor.Device, c Config, f *safetensors.File) (*Model, error) {
	infos := map[string]safetensors.Info{}
	for _, t := range f.Tensors() {
		name := t.Name
		if !c.Llama() {
			name = strings.TrimPrefix(name, "transformer.")
		}
		infos[name] = t
	}
	ts := hfTensors(c)
	switch _, ok := infos[ts[0].name]; {
	case !ok && c.Llama():
		return nil, fmt.Errorf("no model.embed_tokens.weight: this is not a Llama (LlamaForCausalLM) checkpoint")
	case !ok:
		return nil, fmt.Errorf("no wte.weight or transformer.wte.weight: this is not a GPT-2 checkpoint")
	}
	for _, t := range ts {
		info, ok := infos[t.name]
		if !ok {
			return nil, fmt.Errorf("tensor %s is missing", t.name)
		} else if fmt.Sprint(info.Shape) != fmt.Sprint(t.shape) {
			return nil, fmt.Errorf("tensor %s has shape %v, config.json implies %v", t.name, info.Shape, t.shape)
		}
	}
	c.Weights = weightType(c, ts, infos)
	m, err := New(d, c)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if err := upload(d, t.dst(&m.Params), f, infos[t.name].Name, t); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// upload reads the tensor name of f into dst on d (transposed when t says
// so). A 16-bit dst takes the file's bits as they are (weightType made it
// the type of the file's matrices): 2 bytes per element on the host, no
// float32 copy. A float32 dst reads through float32 (widened exactly).
func upload(d tensor.Device, dst tensor.Tensor, f *safetensors.File, name string, t hfTensor) error {
	if dst.DType != tensor.F32 {
		bits := make([]uint16, dst.Len)
		if err := f.ReadUint16(name, bits); err != nil {
			return err
		}
		if t.conv {
			bits = transpose(bits, t.shape[0], t.shape[1])
		}
		d.Upload16(dst, bits)
		return nil
	}
	host := make([]float32, dst.Len)
	if err := f.ReadFloat32(name, host); err != nil {
		return err
	}
	if t.conv {
		host = transpose(host, t.shape[0], t.shape[1])
	}
	d.Upload(dst, host)
	return nil
}

// weightType is the type the matrices of a checkpoint keep on the device:
// F16 or BF16 when every matrix in the file has that type (and the
// embedding size is even, so every matrix starts at a slot boundary), else
// F32.
func weightType(c Config, ts []hfTensor, infos map[string]safetensors.Info) tensor.DType {
	first := infos[ts[0].name].DType
	if (first != safetensors.F16 && first != safetensors.BF16) || c.NEmbd%2 != 0 {
		return tensor.F32
	}
	for _, t := range ts {
		if len(t.shape) == 2 && infos[t.name].DType != first {
			return tensor.F32
		}
	}
	if first == safetensors.F16 {
		return tensor.F16
	}
	return tensor.BF16
}

// to16 converts float32 values to the bits of dt, rounding to nearest even.
func to16(x []float32, dt tensor.DType) []uint16 {
	out := make([]uint16, len(x))
	for i, v := range x {
		if dt == tensor.F16 {
			out[i] = safetensors.F32ToF16(v)
		} else {
			out[i] = safetensors.F32ToBF16(v)
		}
	}
	return out
}

// Save writes a float32 model as a Hugging Face directory: config.json and
// model.safetensors (GPT-2: names with "transformer.", Conv1D weights [in,
// out], lm_head tied and not stored) in the given dtype.
func (m *Model) Save(dir string, dtype safetensors.DType) error {
	if m.Config.Weights != tensor.F32 {
		return fmt.Errorf("the model's weights are %v on the device: only float32 models are saved", m.Config.Weights)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cfg, err := m.Config.JSON()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), cfg, 0o644); err != nil {
		return err
	}
	var ts []safetensors.Tensor
	for _, t := range hfTensors(m.Config) {
		dst := t.dst(&m.Params)
		host := make([]float32, dst.Len)
		m.Dev.Download(host, dst)
		name := t.name
		if t.conv {
			host = transpose(host, t.shape[1], t.shape[0])
		}
		if !m.Config.Llama() {
			name = "transformer." + name
		}
		ts = append(ts, safetensors.Tensor{Name: name, DType: dtype, Shape: t.shape, Data: host})
	}
	out, err := os.Create(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		return err
	}
	if err := safetensors.Write(out, ts, map[string]string{"format": "pt"}); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// transpose returns the [cols, rows] transpose of a [rows, cols] matrix.
func transpose[E any](a []E, rows, cols int) []E {
	t := make([]E, len(a))
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			t[j*rows+i] = a[i*cols+j]
		}
	}
	return t
}
