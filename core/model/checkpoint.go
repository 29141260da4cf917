package model

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"prefixtune/core/safetensors"
	"prefixtune/core/tensor"
)

// hfTensor maps one Hugging Face GPT-2 tensor to a field of Params.
type hfTensor struct {
	name     string // without "transformer." and, per layer, without "h.{l}."
	field    func(*Params) tensor.Tensor
	perLayer bool
	conv     bool // a Conv1D weight stored [in, out]: transposed to [out, in]
	shape    func(c Config) []int
}

func hfTensors() []hfTensor {
	C := func(k int) func(Config) []int { return func(c Config) []int { return []int{k * c.NEmbd} } }
	CxK := func(a, b int) func(Config) []int {
		return func(c Config) []int { return []int{a * c.NEmbd, b * c.NEmbd} }
	}
	return []hfTensor{
		{"wte.weight", func(p *Params) tensor.Tensor { return p.WTE }, false, false, func(c Config) []int { return []int{c.VocabSize, c.NEmbd} }},
		{"wpe.weight", func(p *Params) tensor.Tensor { return p.WPE }, false, false, func(c Config) []int { return []int{c.NPositions, c.NEmbd} }},
		{"ln_1.weight", func(p *Params) tensor.Tensor { return p.LN1W }, true, false, C(1)},
		{"ln_1.bias", func(p *Params) tensor.Tensor { return p.LN1B }, true, false, C(1)},
		{"attn.c_attn.weight", func(p *Params) tensor.Tensor { return p.QKVW }, true, true, CxK(1, 3)},
		{"attn.c_attn.bias", func(p *Params) tensor.Tensor { return p.QKVB }, true, false, C(3)},
		{"attn.c_proj.weight", func(p *Params) tensor.Tensor { return p.AttProjW }, true, true, CxK(1, 1)},
		{"attn.c_proj.bias", func(p *Params) tensor.Tensor { return p.AttProjB }, true, false, C(1)},
		{"ln_2.weight", func(p *Params) tensor.Tensor { return p.LN2W }, true, false, C(1)},
		{"ln_2.bias", func(p *Params) tensor.Tensor { return p.LN2B }, true, false, C(1)},
		{"mlp.c_fc.weight", func(p *Params) tensor.Tensor { return p.FCW }, true, true, CxK(1, 4)},
		{"mlp.c_fc.bias", func(p *Params) tensor.Tensor { return p.FCB }, true, false, C(4)},
		{"mlp.c_proj.weight", func(p *Params) tensor.Tensor { return p.FCProjW }, true, true, CxK(4, 1)},
		{"mlp.c_proj.bias", func(p *Params) tensor.Tensor { return p.FCProjB }, true, false, C(1)},
		{"ln_f.weight", func(p *Params) tensor.Tensor { return p.LNFW }, false, false, C(1)},
		{"ln_f.bias", func(p *Params) tensor.Tensor { return p.LNFB }, false, false, C(1)},
	}
}

// each calls f for every Hugging Face tensor name of c with its place in
// Params and the shape Hugging Face stores.
func each(c Config, f func(name string, t hfTensor, dst func(*Params) tensor.Tensor) error) error {
	for _, t := range hfTensors() {
		if !t.perLayer {
			if err := f(t.name, t, t.field); err != nil {
				return err
			}
			continue
		}
		for l := 0; l < c.NLayer; l++ {
			dst := func(p *Params) tensor.Tensor { return layer(t.field(p), l, c.NLayer) }
			if err := f(fmt.Sprintf("h.%d.%s", l, t.name), t, dst); err != nil {
				return err
			}
		}
	}
	return nil
}

// Load reads a Hugging Face GPT-2 directory (config.json and
// model.safetensors) onto d.
func Load(d tensor.Device, dir string) (*GPT2, error) {
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

// FromSafetensors builds a GPT-2 for c on d from the weights in f, whose
// tensor names may or may not start with "transformer.".
func FromSafetensors(d tensor.Device, c Config, f *safetensors.File) (*GPT2, error) {
	m, err := New(d, c)
	if err != nil {
		return nil, err
	}
	infos := map[string]safetensors.Info{}
	for _, t := range f.Tensors() {
		infos[strings.TrimPrefix(t.Name, "transformer.")] = t
	}
	if _, ok := infos["wte.weight"]; !ok {
		return nil, fmt.Errorf("no wte.weight or transformer.wte.weight: this is not a GPT-2 checkpoint")
	}
	err = each(c, func(name string, t hfTensor, dst func(*Params) tensor.Tensor) error {
		info, ok := infos[name]
		want := t.shape(c)
		if !ok {
			return fmt.Errorf("tensor %s is missing", name)
		} else if fmt.Sprint(info.Shape) != fmt.Sprint(want) {
			return fmt.Errorf("tensor %s has shape %v, config.json implies %v", name, info.Shape, want)
		}
		host := make([]float32, dst(&m.Params).Len)
		if err := f.ReadFloat32(info.Name, host); err != nil {
			return err
		}
		if t.conv {
			host = transpose(host, want[0], want[1])
		}
		d.Upload(dst(&m.Params), host)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Save writes m as a Hugging Face GPT-2 directory: config.json and
// model.safetensors (names with "transformer.", Conv1D weights [in, out],
// lm_head tied and not stored) in the given dtype.
func (m *GPT2) Save(dir string, dtype safetensors.DType) error {
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
	err = each(m.Config, func(name string, t hfTensor, dst func(*Params) tensor.Tensor) error {
		shape := t.shape(m.Config)
		host := make([]float32, dst(&m.Params).Len)
		m.Dev.Download(host, dst(&m.Params))
		if t.conv {
			host = transpose(host, shape[1], shape[0])
		}
		ts = append(ts, safetensors.Tensor{Name: "transformer." + name, DType: dtype, Shape: shape, Data: host})
		return nil
	})
	if err != nil {
		return err
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
func transpose(a []float32, rows, cols int) []float32 {
	t := make([]float32, len(a))
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			t[j*rows+i] = a[i*cols+j]
		}
	}
	return t
}
