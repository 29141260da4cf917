package safetensors

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"unicode/utf8"
)

// MaxHeaderSize is the largest header accepted, in bytes, as in the Rust
// crate.
const MaxHeaderSize = 100_000_000

const metadataKey = "__metadata__"

// Info describes one tensor of a file.
type Info struct {
	Name  string
	DType DType
	Shape []int
	// Begin and End are byte offsets into the data section, which starts
	// 8+N bytes into the file.
	Begin, End int64
}

// NumElements is the product of the shape (1 for a scalar).
func (t Info) NumElements() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// parseHeader decodes the JSON header and checks every entry on its own;
// checkLayout then checks the entries against each other and the file.
func parseHeader(header []byte) ([]Info, map[string]string, error) {
	if !utf8.Valid(header) {
		return nil, nil, errors.New("header is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(header))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil, fmt.Errorf("header is not a JSON object (starts %q)", prefix(header, 32))
	}
	var infos []Info
	var meta map[string]string
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, fmt.Errorf("header is not valid JSON: %v", err)
		}
		name, ok := tok.(string)
		if !ok {
			return nil, nil, fmt.Errorf("header is not valid JSON: key %v is not a string", tok)
		}
		if seen[name] {
			return nil, nil, fmt.Errorf("tensor name %q appears twice in the header", name)
		}
		seen[name] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, fmt.Errorf("header is not valid JSON: %v", err)
		}
		if name == metadataKey {
			if err := json.Unmarshal(raw, &meta); err != nil {
				return nil, nil, fmt.Errorf("%s must be an object of string values: %v", metadataKey, err)
			}
			continue
		}
		info, err := parseInfo(name, raw)
		if err != nil {
			return nil, nil, err
		}
		infos = append(infos, info)
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, fmt.Errorf("header is not valid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, errors.New("header has text after its JSON object")
	}
	return infos, meta, nil
}

func parseInfo(name string, raw json.RawMessage) (Info, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return Info{}, fmt.Errorf("tensor %q: entry is not a JSON object", name)
	}
	for _, key := range []string{"dtype", "shape", "data_offsets"} {
		if _, ok := fields[key]; !ok {
			return Info{}, fmt.Errorf("tensor %q: %q is missing", name, key)
		}
	}
	var dtype string
	var shape, offsets []int64
	if err := json.Unmarshal(fields["dtype"], &dtype); err != nil {
		return Info{}, fmt.Errorf("tensor %q: dtype must be a string", name)
	}
	if err := json.Unmarshal(fields["shape"], &shape); err != nil || shape == nil {
		return Info{}, fmt.Errorf("tensor %q: shape must be a list of integers, got %s", name, prefix(fields["shape"], 64))
	}
	if err := json.Unmarshal(fields["data_offsets"], &offsets); err != nil || len(offsets) != 2 {
		return Info{}, fmt.Errorf("tensor %q: data_offsets must be two integers [begin, end], got %s", name, prefix(fields["data_offsets"], 64))
	}
	d, err := parseDType(dtype)
	if err != nil {
		return Info{}, fmt.Errorf("tensor %q: %v", name, err)
	}
	info := Info{Name: name, DType: d, Shape: make([]int, len(shape)), Begin: offsets[0], End: offsets[1]}
	nbytes := int64(d.Size())
	for i, dim := range shape {
		if dim < 0 {
			return Info{}, fmt.Errorf("tensor %q: shape %v has a negative dimension", name, shape)
		}
		if dim != 0 && nbytes > math.MaxInt64/dim {
			return Info{}, fmt.Errorf("tensor %q: shape %v x %d bytes overflows 64 bits", name, shape, d.Size())
		}
		nbytes *= dim
		info.Shape[i] = int(dim)
	}
	if info.Begin < 0 || info.End < info.Begin {
		return Info{}, fmt.Errorf("tensor %q: data_offsets %v are not 0 <= begin <= end", name, offsets)
	}
	if info.End-info.Begin != nbytes {
		return Info{}, fmt.Errorf("tensor %q: %s %v needs %d bytes but data_offsets %v span %d",
			name, d, shape, nbytes, offsets, info.End-info.Begin)
	}
	return info, nil
}

// checkLayout sorts infos by offset and checks that they tile the data
// section of dataSize bytes exactly.
func checkLayout(infos []Info, dataSize int64) error {
	sort.Slice(infos, func(i, j int) bool {
		if infos[i].Begin != infos[j].Begin {
			return infos[i].Begin < infos[j].Begin
		}
		return infos[i].End < infos[j].End
	})
	var end int64
	prev := "the start of the data"
	for _, t := range infos {
		switch {
		case t.Begin < end:
			return fmt.Errorf("tensor %q (bytes %d..%d) overlaps %s (ends at %d)", t.Name, t.Begin, t.End, prev, end)
		case t.Begin > end:
			return fmt.Errorf("%d unused bytes between %s and tensor %q (bytes %d..%d); tensors must cover the data contiguously",
				t.Begin-end, prev, t.Name, end, t.Begin)
		}
		end = t.End
		prev = fmt.Sprintf("tensor %q", t.Name)
	}
	switch {
	case end > dataSize:
		return fmt.Errorf("%s ends at byte %d of the data, past its end (%d bytes after the header): file truncated?", prev, end, dataSize)
	case end < dataSize:
		return fmt.Errorf("tensors cover %d bytes but %d bytes follow the header: %d bytes unaccounted for", end, dataSize, dataSize-end)
	}
	return nil
}

func prefix(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
