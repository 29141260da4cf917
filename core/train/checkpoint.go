package train

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"prefixtune/core/safetensors"
	"prefixtune/core/tensor"
)

// Checkpoint is the state of a run at a step: trainable parameters, AdamW
// moments and whatever the caller records in Meta (options, data order
// seed). The data order is a function of the seed and the step (see
// data.Loader), so the step is enough to resume it.
type Checkpoint struct {
	Step    int
	LRScale float64 // 1, halved by every recovery from a non-finite step
	Params  []float32
	M, V    []float32
	Meta    map[string]string
}

// Checkpoint returns the trainer's state.
func (t *Trainer) Checkpoint(meta map[string]string) Checkpoint {
	return t.opt.checkpoint(t.Model.Dev, meta)
}

// Restore sets the trainer's state from c.
func (t *Trainer) Restore(c Checkpoint) error { return t.opt.restore(t.Model.Dev, c) }

// Checkpoint returns the pretrainer's state.
func (t *Pretrainer) Checkpoint(meta map[string]string) Checkpoint {
	return t.opt.checkpoint(t.Model.Dev, meta)
}

// Restore sets the pretrainer's state from c.
func (t *Pretrainer) Restore(c Checkpoint) error { return t.opt.restore(t.Model.Dev, c) }

func (o *optimizer) checkpoint(d tensor.Device, meta map[string]string) Checkpoint {
	c := Checkpoint{Step: o.step, LRScale: o.lrScale, Meta: meta}
	for _, x := range []struct {
		dst *[]float32
		src tensor.Tensor
	}{{&c.Params, o.params}, {&c.M, o.m}, {&c.V, o.v}} {
		*x.dst = make([]float32, x.src.Len)
		d.Download(*x.dst, x.src)
	}
	return c
}

func (o *optimizer) restore(d tensor.Device, c Checkpoint) error {
	n := o.params.Len
	if len(c.Params) != n || len(c.M) != n || len(c.V) != n {
		return fmt.Errorf("the checkpoint holds %d parameters, this run has %d: it was made with another model or prefix size", len(c.Params), n)
	}
	d.Upload(o.params, c.Params)
	d.Upload(o.m, c.M)
	d.Upload(o.v, c.V)
	o.step, o.lrScale = c.Step, c.LRScale
	o.keep(d)
	return nil
}

// Encode serialises c as safetensors (tensors params, adam.m, adam.v; the
// step, a SHA-256 of the tensor bytes and Meta in the header metadata).
func (c Checkpoint) Encode() ([]byte, error) {
	meta := map[string]string{}
	for k, v := range c.Meta {
		meta[k] = v
	}
	ts := []safetensors.Tensor{
		{Name: "params", DType: safetensors.F32, Shape: []int{len(c.Params)}, Data: c.Params},
		{Name: "adam.m", DType: safetensors.F32, Shape: []int{len(c.M)}, Data: c.M},
		{Name: "adam.v", DType: safetensors.F32, Shape: []int{len(c.V)}, Data: c.V},
	}
	meta["step"] = strconv.Itoa(c.Step)
	meta["lr_scale"] = strconv.FormatFloat(c.LRScale, 'g', -1, 64)
	meta["sha256"] = digest(c)
	var out bytes.Buffer
	if err := safetensors.Write(&out, ts, meta); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// digest hashes the float bits of the tensors of c, little-endian.
func digest(c Checkpoint) string {
	h := sha256.New()
	var b [4]byte
	for _, x := range [][]float32{c.Params, c.M, c.V} {
		for _, f := range x {
			binary.LittleEndian.PutUint32(b[:], math.Float32bits(f))
			h.Write(b[:])
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// DecodeCheckpoint parses and verifies a checkpoint made by Encode.
func DecodeCheckpoint(b []byte) (Checkpoint, error) {
	f, err := safetensors.Parse(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint: %w", err)
	}
	c := Checkpoint{Meta: map[string]string{}}
	for _, x := range []struct {
		dst  *[]float32
		name string
	}{{&c.Params, "params"}, {&c.M, "adam.m"}, {&c.V, "adam.v"}} {
		if *x.dst, err = f.Float32(x.name); err != nil {
			return Checkpoint{}, fmt.Errorf("checkpoint: %w", err)
		}
	}
	for k, v := range f.Metadata {
		if k != "step" && k != "sha256" && k != "lr_scale" {
			c.Meta[k] = v
		}
	}
	if c.Step, err = strconv.Atoi(f.Metadata["step"]); err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint: no valid step in its metadata")
	}
	if c.LRScale, err = strconv.ParseFloat(f.Metadata["lr_scale"], 64); err != nil || !(c.LRScale > 0) {
		return Checkpoint{}, fmt.Errorf("checkpoint: no valid learning-rate scale in its metadata")
	}
	if got := digest(c); got != f.Metadata["sha256"] {
		return Checkpoint{}, fmt.Errorf("checkpoint: its checksum does not match its contents: the file is damaged; resume from an earlier checkpoint")
	}
	return c, nil
}

// WriteCheckpoint writes c to path atomically: a crash mid-write leaves the
// previous file intact.
func WriteCheckpoint(path string, c Checkpoint) error {
	b, err := c.Encode()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".checkpoint-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ReadCheckpoint reads and verifies a checkpoint file.
func ReadCheckpoint(path string) (Checkpoint, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Checkpoint{}, err
	}
	c, err := DecodeCheckpoint(b)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}
