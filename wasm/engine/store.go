//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"syscall/js"
	"time"

	"prefixtune/core/protocol"
	"prefixtune/core/safetensors"
	"prefixtune/core/train"
	"prefixtune/core/tune"
)

// Saved runs live in the origin-private file system, one folder per run:
//
//	prefixtune/runs/<run id>/train.data                the training file as loaded
//	prefixtune/runs/<run id>/val.data                  the validation file, if any
//	prefixtune/runs/<run id>/history.json              []protocol.StepLog up to the newest checkpoint
//	prefixtune/runs/<run id>/checkpoint-{a,b}.safetensors  train.Checkpoint.Encode; metadata "run" is a runMeta
//
// The checkpoint alternates between two slots: a save replaces the older
// one, so a crash or a torn write during a save leaves the previous
// checkpoint whole. Encode stores a SHA-256 of the tensors, which
// DecodeCheckpoint checks; the run's checkpoint is the newest slot that
// passes (newestCheckpoint). The data files and history are written
// before the checkpoint, so a run with a checkpoint has its data; the
// history is cut at the checkpoint's step when it is read.
const (
	historyFile = "history.json"
	trainFile   = "train.data"
	valFile     = "val.data"
)

// checkpointSlots are the two files a run's checkpoint alternates between.
var checkpointSlots = [2]string{"checkpoint-a.safetensors", "checkpoint-b.safetensors"}

// runMeta is the metadata "run" of a checkpoint.
type runMeta struct {
	Info  protocol.RunInfo `json:"info"`
	Train dataSource       `json:"train"`
	Val   *dataSource      `json:"val,omitempty"`
}

// storageError explains a failed storage operation.
func storageError(err error, what string) error {
	var je *jsError
	if errors.As(err, &je) && je.Name == "QuotaExceededError" {
		return protocol.Errorf(protocol.CodeStorage, "%s: the browser's storage for this site is full; delete old runs", what)
	}
	return fail(protocol.CodeStorage, err, what)
}

func notFound(err error) bool {
	var je *jsError
	return errors.As(err, &je) && je.Name == "NotFoundError"
}

// runsDir returns the folder of saved runs.
func runsDir(create bool) (js.Value, error) {
	storage := global.Get("navigator").Get("storage")
	if storage.IsUndefined() || storage.Get("getDirectory").IsUndefined() {
		return js.Value{}, protocol.Errorf(protocol.CodeUnsupported, "this browser has no origin-private file system to keep checkpoints in")
	}
	d, err := call(storage, "getDirectory")
	for _, name := range []string{"prefixtune", "runs"} {
		if err != nil {
			break
		}
		d, err = call(d, "getDirectoryHandle", name, map[string]any{"create": create})
	}
	return d, err
}

// runDir returns the folder of run id.
func runDir(id string, create bool) (js.Value, error) {
	d, err := runsDir(create)
	if err != nil {
		return d, err
	}
	return call(d, "getDirectoryHandle", id, map[string]any{"create": create})
}

func writeFile(dir js.Value, name string, b []byte) error {
	fh, err := call(dir, "getFileHandle", name, map[string]any{"create": true})
	if err != nil {
		return err
	}
	w, err := call(fh, "createWritable")
	if err != nil {
		return err
	}
	if _, err := call(w, "write", jsBytes(b)); err != nil {
		call(w, "abort")
		return err
	}
	_, err = call(w, "close") // commits the file atomically
	return err
}

// exists reports whether dir holds a file name.
func exists(dir js.Value, name string) (bool, error) {
	_, err := call(dir, "getFileHandle", name)
	if notFound(err) {
		return false, nil
	}
	return err == nil, err
}

func openFile(dir js.Value, name string) (js.Value, error) {
	fh, err := call(dir, "getFileHandle", name)
	if err != nil {
		return fh, err
	}
	return call(fh, "getFile")
}

func readFile(dir js.Value, name string) ([]byte, error) {
	f, err := openFile(dir, name)
	if err != nil {
		return nil, err
	}
	return blobBytes(f)
}

// save writes run s's checkpoint (and, the first time, its data).
func (e *engine) save(j *job, s *session) error {
	step := s.run.Trainer.Step()
	post(j.id, protocol.Progress{Phase: protocol.PhaseCheckpoint, Step: step, Steps: s.run.Steps})
	dir, err := runDir(s.id, true)
	if err != nil {
		return storageError(err, "saving the checkpoint")
	}
	// The data is written once, and again if the run's folder was
	// deleted or cleared since.
	for _, f := range []struct {
		name string
		set  *dataSet
	}{{trainFile, s.train}, {valFile, s.val}} {
		if f.set == nil {
			continue
		}
		there, err := exists(dir, f.name)
		if err == nil && !there {
			err = writeFile(dir, f.name, f.set.raw)
		}
		if err != nil {
			return storageError(err, "saving the run's data")
		}
	}
	history, err := json.Marshal(s.history)
	if err != nil {
		return err
	}
	if err := writeFile(dir, historyFile, history); err != nil {
		return storageError(err, "saving the run's history")
	}
	meta := runMeta{Info: e.runInfo(s), Train: s.train.src}
	if s.val != nil {
		meta.Val = &s.val.src
	}
	mb, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	b, err := s.run.Trainer.Checkpoint(map[string]string{"run": string(mb)}).Encode()
	if err != nil {
		return err
	}
	if err := writeFile(dir, checkpointSlots[s.slot], b); err != nil {
		return storageError(err, "saving the checkpoint")
	}
	s.slot ^= 1
	return nil
}

// newestCheckpoint returns the checkpoint of the run in dir: of the slots
// whose header parses, the one with the highest step whose tensors match
// their checksum (a damaged slot is passed over for the other), the slot
// it was read from and its size. found is false when neither slot exists.
func newestCheckpoint(dir js.Value) (c train.Checkpoint, slot int, size int64, found bool, err error) {
	type candidate struct {
		slot, step int
		file       js.Value
		size       int64
	}
	var cands []candidate
	var problems []string
	for i, name := range checkpointSlots {
		f, err := openFile(dir, name)
		if notFound(err) {
			continue
		}
		found = true
		var st *safetensors.File
		if err == nil {
			rd := newBlobReader(f, nil)
			if st, err = safetensors.Parse(rd, rd.size); err == nil {
				var step int
				if step, err = strconv.Atoi(st.Metadata["step"]); err == nil {
					cands = append(cands, candidate{i, step, f, rd.size})
					continue
				}
			}
		}
		problems = append(problems, fmt.Sprintf("%s: %v", name, err))
	}
	slices.SortFunc(cands, func(a, b candidate) int { return b.step - a.step })
	for _, k := range cands {
		b, err := blobBytes(k.file)
		if err == nil {
			c, err = train.DecodeCheckpoint(b)
		}
		if err == nil {
			return c, k.slot, k.size, true, nil
		}
		problems = append(problems, fmt.Sprintf("%s: %v", checkpointSlots[k.slot], err))
	}
	if !found {
		return c, 0, 0, false, nil
	}
	return c, 0, 0, true, fmt.Errorf("no checkpoint of the run is whole (%s)", strings.Join(problems, "; "))
}

// runInfo describes run s as saved now.
func (e *engine) runInfo(s *session) protocol.RunInfo {
	info := protocol.RunInfo{RunID: s.id, Step: s.run.Trainer.Step(), Steps: s.run.Steps, Model: e.model.info.Name,
		Hub: e.model.info.Hub, ModelID: e.model.info.Fingerprint, Data: s.train.src.Name, Options: s.opts,
		SavedUnix: time.Now().UnixMilli(), Loss: lastLoss(s.history)}
	if s.val != nil {
		info.ValData = s.val.src.Name
	}
	return info
}

func (e *engine) listCheckpoints() (protocol.Event, error) {
	out := protocol.Checkpoints{Runs: []protocol.RunInfo{}}
	d, err := runsDir(false)
	if notFound(err) {
		return out, nil
	}
	if err != nil {
		return nil, storageError(err, "listing the checkpoints")
	}
	it := d.Call("values")
	for {
		next, err := call(it, "next")
		if err != nil {
			return nil, storageError(err, "listing the checkpoints")
		}
		if next.Get("done").Bool() {
			break
		}
		h := next.Get("value")
		if h.Get("kind").String() != "directory" {
			continue
		}
		// A folder without a whole checkpoint is a run that never saved
		// one, or debris: it is not listed.
		c, _, size, found, err := newestCheckpoint(h)
		if !found || err != nil {
			continue
		}
		var meta runMeta
		if json.Unmarshal([]byte(c.Meta["run"]), &meta) != nil {
			continue
		}
		meta.Info.Bytes = size
		out.Runs = append(out.Runs, meta.Info)
	}
	slices.SortFunc(out.Runs, func(a, b protocol.RunInfo) int { return int(b.SavedUnix - a.SavedUnix) })
	return out, nil
}

func (e *engine) loadCheckpoint(j *job, r protocol.LoadCheckpoint) (protocol.Event, error) {
	if err := e.needModel(); err != nil {
		return nil, err
	}
	dir, err := runDir(r.RunID, false)
	if notFound(err) {
		return nil, protocol.Errorf(protocol.CodeBadRequest, "there is no saved run %q: list the checkpoints to see which there are", r.RunID)
	}
	if err != nil {
		return nil, storageError(err, "opening the run")
	}
	c, slot, size, found, err := newestCheckpoint(dir)
	if !found {
		return nil, protocol.Errorf(protocol.CodeBadRequest, "run %s has no checkpoint: it never saved one", r.RunID)
	}
	if err != nil {
		return nil, storageError(err, fmt.Sprintf("reading the checkpoint of run %s", r.RunID))
	}
	var meta runMeta
	if err := json.Unmarshal([]byte(c.Meta["run"]), &meta); err != nil {
		return nil, protocol.Errorf(protocol.CodeStorage, "the checkpoint of run %s does not describe its run (%v): it was not made by this engine", r.RunID, err)
	}
	if meta.Info.ModelID != e.model.info.Fingerprint {
		return nil, protocol.Errorf(protocol.CodeBadRequest, "run %s was trained on model %q, not on the loaded %q: load that model first", r.RunID, meta.Info.Model, e.model.info.Name)
	}
	read := func(name string, src dataSource) (*dataSet, error) {
		raw, err := readFile(dir, name)
		if err != nil {
			return nil, storageError(err, "reading the run's data")
		}
		return parseData(src, raw)
	}
	trainSet, err := read(trainFile, meta.Train)
	if err != nil {
		return nil, err
	}
	var val *dataSet
	if meta.Val != nil {
		if val, err = read(valFile, *meta.Val); err != nil {
			return nil, err
		}
	}
	var history []protocol.StepLog
	if hb, err := readFile(dir, historyFile); err == nil {
		json.Unmarshal(hb, &history)
	}
	history = history[:min(len(history), c.Step)]
	post(j.id, protocol.Progress{Phase: protocol.PhaseInit})
	s, err := e.newSession(r.RunID, meta.Info.Options, tune.Init{}, trainSet, val)
	if err != nil {
		return nil, err
	}
	if err := s.run.Trainer.Restore(c); err != nil {
		s.scope.Release() // s is not e.run yet
		return nil, fail(protocol.CodeBadRequest, err, "")
	}
	s.history, s.slot = history, slot^1 // the next save keeps this slot
	e.run, e.prefix, e.train, e.val = s, s.run.Trainer.Prefix, trainSet, val
	info := meta.Info
	info.Bytes = size
	return protocol.CheckpointLoaded{Run: info, History: history}, nil
}

func (e *engine) deleteCheckpoint(r protocol.DeleteCheckpoint) (protocol.Event, error) {
	d, err := runsDir(false)
	if err == nil {
		_, err = call(d, "removeEntry", r.RunID, map[string]any{"recursive": true})
	}
	if notFound(err) {
		return nil, protocol.Errorf(protocol.CodeBadRequest, "there is no saved run %q", r.RunID)
	}
	if err != nil {
		return nil, storageError(err, fmt.Sprintf("deleting run %s", r.RunID))
	}
	return protocol.OK{}, nil
}
