package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"path"
	"strings"

	"prefixtune/core/protocol"
)

// The files of a PEFT adapter.
const (
	adapterConfig  = "adapter_config.json"
	adapterWeights = "adapter_model.safetensors"
)

// AdapterState is the Download step.
type AdapterState struct {
	BaseModel string // base_model_name_or_path; "" for the default
	Saved     string // the name of the last zip saved
	Err       string

	Imported  *protocol.AdapterImported
	ImportErr string
}

// DefaultBaseModel is what the adapter names as its base model unless the
// person says otherwise: the hub repository, or the model's name (its
// folder's, config.json's _name_or_path, or its weights file's).
func (a *App) DefaultBaseModel() string {
	m := a.Model.Loaded
	switch {
	case m == nil:
		return ""
	case m.Hub != nil:
		return m.Hub.Repo
	}
	return m.Name
}

// ZipName is the name of the adapter download.
func (a *App) ZipName() string {
	name := "prefix"
	if d := a.Data.Loaded; d != nil && d.Name != "" {
		name += "-" + strings.TrimSuffix(path.Base(d.Name), path.Ext(d.Name))
	}
	return fmt.Sprintf("%s-p%d.zip", name, a.Opts.PrefixLen)
}

// Export asks the engine for the adapter files and saves them, with a
// README, as one zip.
func (a *App) Export() {
	if !a.Idle() || !a.HasPrefix() {
		return
	}
	ad := &a.Adapter
	base := ad.BaseModel
	if base == "" {
		base = a.DefaultBaseModel()
	}
	ad.Err = ""
	a.start("Exporting the adapter", protocol.ExportAdapter{BaseModel: base}, nil, func(e protocol.Event) {
		switch e := e.(type) {
		case protocol.AdapterFiles:
			z, err := adapterZip(e, a.readme(base))
			if err != nil {
				ad.Err = "Cannot write the zip: " + err.Error()
				return
			}
			name := a.ZipName()
			a.host.Save(name, "application/zip", z)
			ad.Saved = name
		case protocol.Error:
			ad.Err = errorText(e)
		}
	})
}

// adapterZip writes the adapter's two files and readme into a zip.
func adapterZip(f protocol.AdapterFiles, readme string) ([]byte, error) {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, e := range []struct {
		name string
		data []byte
	}{{adapterConfig, f.Config}, {adapterWeights, f.Weights}, {"README.md", []byte(readme)}} {
		fw, err := w.Create(e.name)
		if err != nil {
			return nil, err
		}
		if _, err := fw.Write(e.data); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// unzipAdapter returns the config and weights of an adapter zip (files
// may sit in a folder inside it).
func unzipAdapter(b []byte) (config, weights []byte, err error) {
	r, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, nil, fmt.Errorf("not a zip file (%v)", err)
	}
	for _, f := range r.File {
		var dst *[]byte
		switch path.Base(f.Name) {
		case adapterConfig:
			dst = &config
		case adapterWeights:
			dst = &weights
		default:
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", f.Name, err)
		}
		*dst, err = io.ReadAll(io.LimitReader(rc, 1<<30))
		rc.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", f.Name, err)
		}
	}
	if config == nil || weights == nil {
		return nil, nil, fmt.Errorf("the zip lacks %s or %s", adapterConfig, adapterWeights)
	}
	return config, weights, nil
}

// ImportAdapter loads a prefix the person picked: an adapter zip, or its
// adapter_config.json and adapter_model.safetensors.
func (a *App) ImportAdapter(files []File) {
	ad := &a.Adapter
	ad.ImportErr = ""
	if !a.Idle() {
		return
	}
	if len(files) == 1 && strings.HasSuffix(strings.ToLower(files[0].Name), ".zip") {
		zf := files[0]
		a.local("Reading the zip")
		go func() {
			b, err := a.host.ReadBytes(zf, 1<<30)
			var cfg, w []byte
			if err == nil {
				cfg, w, err = unzipAdapter(b)
			}
			a.env.Lock()
			defer a.env.UnlockRender()
			a.local("")
			if err != nil {
				ad.ImportErr = zf.Name + ": " + err.Error()
				return
			}
			a.sendImport([]File{a.host.NewFile(adapterConfig, cfg), a.host.NewFile(adapterWeights, w)})
		}()
		return
	}
	cfg, w := findFile(files, adapterConfig), findFile(files, adapterWeights)
	if cfg == nil || w == nil {
		ad.ImportErr = "Pick an adapter zip, or both adapter_config.json and adapter_model.safetensors."
		return
	}
	a.sendImport([]File{*cfg, *w})
}

func (a *App) sendImport(files []File) {
	ad := &a.Adapter
	a.start("Loading the prefix", protocol.ImportAdapter{Config: 0, Weights: 1}, files, func(e protocol.Event) {
		switch e := e.(type) {
		case protocol.AdapterImported:
			ad.Imported = &e
			a.Compare = CompareState{Shots: a.Compare.Shots, MaxNew: a.Compare.MaxNew}
		case protocol.Error:
			ad.ImportErr = errorText(e)
		}
	})
}
