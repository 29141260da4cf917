//go:build js && wasm

package main

import (
	"encoding/json"
	"path"
	"strings"

	"prefixtune/core/protocol"
)

// nameModel names a model loaded from posted files (loadModel names it
// after its weights file): the folder the page says the files came from,
// else config.json's _name_or_path, else the weights file's name. The name
// goes into exported adapters as base_model_name_or_path.
func (e *engine) nameModel(j *job, r protocol.LoadModel, info protocol.ModelLoaded) protocol.ModelLoaded {
	if r.Hub != nil {
		return info
	}
	var config []byte
	for _, i := range r.Files {
		if f, err := j.file(i); err == nil && f.Get("name").String() == "config.json" {
			config, _ = blobBytes(f)
		}
	}
	info.Name = modelName(r.Folder, config, info.Name)
	e.model.info.Name = info.Name
	return info
}

// modelName is the name of a model: folder (its last element), else the
// _name_or_path of config, else file.
func modelName(folder string, config []byte, file string) string {
	if f := path.Base(strings.Trim(strings.ReplaceAll(folder, `\`, "/"), "/")); f != "." && f != "" && f != "/" {
		return f
	}
	var c struct {
		NameOrPath string `json:"_name_or_path"`
	}
	if json.Unmarshal(config, &c) == nil && strings.TrimSpace(c.NameOrPath) != "" {
		return strings.TrimSpace(c.NameOrPath)
	}
	return file
}
