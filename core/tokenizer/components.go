package tokenizer

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// componentJSON is a normalizer, pre_tokenizer, decoder or post_processor of
// a tokenizer.json; each type uses some of the fields.
type componentJSON struct {
	Type          string            `json:"type"`
	Normalizers   []json.RawMessage `json:"normalizers"`   // Sequence normalizer
	Pretokenizers []json.RawMessage `json:"pretokenizers"` // Sequence pre_tokenizer
	Decoders      []json.RawMessage `json:"decoders"`      // Sequence decoder
	Processors    []json.RawMessage `json:"processors"`    // Sequence post_processor

	AddPrefixSpace   *bool        `json:"add_prefix_space"`  // ByteLevel; Metaspace before tokenizers 0.15
	UseRegex         *bool        `json:"use_regex"`         // ByteLevel
	IndividualDigits bool         `json:"individual_digits"` // Digits
	Pattern          *patternJSON `json:"pattern"`           // Split, Replace
	Behavior         string       `json:"behavior"`          // Split
	Invert           bool         `json:"invert"`            // Split
	Content          *string      `json:"content"`           // Replace, Strip
	Prepend          *string      `json:"prepend"`           // Prepend
	Replacement      *string      `json:"replacement"`       // Metaspace
	PrependScheme    *string      `json:"prepend_scheme"`    // Metaspace
	Split            *bool        `json:"split"`             // Metaspace
	Start            int          `json:"start"`             // Strip
	Stop             int          `json:"stop"`              // Strip

	Single        []map[string]struct{ ID string } `json:"single"`         // TemplateProcessing
	SpecialTokens map[string]struct{ IDs []int }   `json:"special_tokens"` // TemplateProcessing
	CLS           []json.RawMessage                `json:"cls"`            // RobertaProcessing, BertProcessing
	SEP           []json.RawMessage                `json:"sep"`
}

// patternJSON is a Split or Replace pattern: {"String": s} or {"Regex": r}.
type patternJSON struct {
	String *string
	Regex  *string
}

// maxComponents bounds the steps of nested Sequences, maxNesting how deep
// a component's JSON may nest (each Sequence level parses its contents
// again).
// maxPattern bounds a Split expression, maxReplace the strings of Prepend
// and Replace (real files use one character), so that a hostile file
// cannot make normalizing or compiling blow up.
const (
	maxComponents = 64
	maxNesting    = 32
	maxPattern    = 4096
	maxReplace    = 64
)

// parseComponent decodes a component; ok is false for null or absent.
func parseComponent(raw json.RawMessage, what string) (c componentJSON, ok bool, err error) {
	if len(raw) == 0 || string(raw) == "null" {
		return c, false, nil
	}
	if nesting(raw) > maxNesting {
		return c, false, fmt.Errorf("tokenizer.json: %s nests more than %d deep", what, maxNesting)
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, false, fmt.Errorf("tokenizer.json: %s: %w", what, err)
	}
	return c, true, nil
}

// parseNormalizer flattens a normalizer into its steps.
func parseNormalizer(raw json.RawMessage, steps []normStep) ([]normStep, error) {
	c, ok, err := parseComponent(raw, "normalizer")
	if err != nil || !ok {
		return steps, err
	}
	switch c.Type {
	case "Sequence":
		for _, n := range c.Normalizers {
			if steps, err = parseNormalizer(n, steps); err != nil {
				return nil, err
			}
		}
	case "Prepend":
		if c.Prepend == nil || len(*c.Prepend) > maxReplace {
			return nil, fmt.Errorf("tokenizer.json: normalizer Prepend needs a prepend string of at most %d bytes", maxReplace)
		}
		steps = append(steps, normStep{prepend: *c.Prepend})
	case "Replace":
		from, err := stringPattern(c, "normalizer")
		if err != nil {
			return nil, err
		}
		steps = append(steps, normStep{from: from, to: *c.Content})
	default:
		return nil, fmt.Errorf("tokenizer.json: normalizer %q is not supported: only Prepend, Replace (of a string) and Sequence of them (the Llama-2 metaspace) can be loaded", c.Type)
	}
	if len(steps) > maxComponents {
		return nil, fmt.Errorf("tokenizer.json: more than %d normalizers", maxComponents)
	}
	return steps, nil
}

// stringPattern returns the pattern of a Replace, which must be a string.
func stringPattern(c componentJSON, what string) (string, error) {
	switch {
	case c.Pattern == nil || c.Content == nil:
		return "", fmt.Errorf("tokenizer.json: %s Replace needs a pattern and a content", what)
	case c.Pattern.String == nil:
		return "", fmt.Errorf("tokenizer.json: %s Replace with a Regex pattern is not supported, only {\"String\": ...}", what)
	case *c.Pattern.String == "":
		return "", fmt.Errorf("tokenizer.json: %s Replace of an empty string is not supported", what)
	case len(*c.Pattern.String) > maxReplace || len(*c.Content) > maxReplace:
		return "", fmt.Errorf("tokenizer.json: %s Replace strings longer than %d bytes are not supported", what, maxReplace)
	}
	return *c.Pattern.String, nil
}

// parsePreTokenizer flattens a pre_tokenizer into its stages.
func parsePreTokenizer(raw json.RawMessage, stages []preStage) ([]preStage, error) {
	c, ok, err := parseComponent(raw, "pre_tokenizer")
	if err != nil || !ok {
		return stages, err
	}
	if n := len(stages); n > 0 && stages[n-1].kind == preByteLevel {
		return nil, fmt.Errorf("tokenizer.json: pre_tokenizer %q after ByteLevel is not supported: ByteLevel must be the last pre-tokenizer", c.Type)
	}
	var st preStage
	switch c.Type {
	case "Sequence":
		for _, p := range c.Pretokenizers {
			if stages, err = parsePreTokenizer(p, stages); err != nil {
				return nil, err
			}
		}
		return stages, nil
	case "ByteLevel":
		st = preStage{kind: preByteLevel, prefixSpace: c.AddPrefixSpace != nil && *c.AddPrefixSpace, useRegex: c.UseRegex == nil || *c.UseRegex}
	case "Digits":
		st = preStage{kind: preDigits, individual: c.IndividualDigits}
	case "Split":
		if c.Pattern == nil || c.Pattern.Regex == nil {
			return nil, fmt.Errorf("tokenizer.json: pre_tokenizer Split is supported only with a Regex pattern")
		}
		if len(*c.Pattern.Regex) > maxPattern {
			return nil, fmt.Errorf("tokenizer.json: pre_tokenizer Split: an expression of %d bytes, more than the %d this loader accepts", len(*c.Pattern.Regex), maxPattern)
		}
		if c.Behavior != "Isolated" || c.Invert {
			return nil, fmt.Errorf("tokenizer.json: pre_tokenizer Split with behavior %q and invert %v is not supported, only Isolated and not inverted", c.Behavior, c.Invert)
		}
		re, err := compileSplit(*c.Pattern.Regex)
		if err != nil {
			return nil, fmt.Errorf("tokenizer.json: pre_tokenizer Split: %w", err)
		}
		st = preStage{kind: preSplit, split: re}
	case "Metaspace":
		st = preStage{kind: preMetaspace}
		if st.replacement, st.prepend, err = metaspace(c, "pre_tokenizer"); err != nil {
			return nil, err
		}
		st.metaSplit = c.Split == nil || *c.Split
	default:
		return nil, fmt.Errorf("tokenizer.json: pre_tokenizer %q is not supported: only ByteLevel, Digits, Split (Isolated, with a regex), Metaspace and Sequence of them can be loaded", c.Type)
	}
	if stages = append(stages, st); len(stages) > maxComponents {
		return nil, fmt.Errorf("tokenizer.json: more than %d pre-tokenizers", maxComponents)
	}
	return stages, nil
}

// metaspace reads the replacement character and prepend scheme of a
// Metaspace pre-tokenizer or decoder, with the add_prefix_space of files
// written before tokenizers 0.15 standing for "always" or "never".
func metaspace(c componentJSON, what string) (string, prependScheme, error) {
	if c.Replacement == nil || utf8.RuneCountInString(*c.Replacement) != 1 {
		return "", 0, fmt.Errorf("tokenizer.json: %s Metaspace needs a replacement of one character", what)
	}
	scheme := prependAlways
	switch {
	case c.PrependScheme != nil:
		var ok bool
		if scheme, ok = map[string]prependScheme{"always": prependAlways, "first": prependFirst, "never": prependNever}[*c.PrependScheme]; !ok {
			return "", 0, fmt.Errorf("tokenizer.json: %s Metaspace prepend_scheme %q is not one of always, first, never", what, *c.PrependScheme)
		}
	case c.AddPrefixSpace != nil && !*c.AddPrefixSpace:
		scheme = prependNever
	}
	return *c.Replacement, scheme, nil
}

// parseDecoder flattens a decoder into its steps.
func parseDecoder(raw json.RawMessage, d *decoder) error {
	c, ok, err := parseComponent(raw, "decoder")
	if err != nil || !ok {
		return err
	}
	if c.Type == "Sequence" {
		for _, sub := range c.Decoders {
			if err := parseDecoder(sub, d); err != nil {
				return err
			}
		}
		return nil
	}
	if len(d.perToken)+len(d.whole) >= maxComponents {
		return fmt.Errorf("tokenizer.json: more than %d decoders", maxComponents)
	}
	if d.fused && c.Type != "Strip" {
		return fmt.Errorf("tokenizer.json: decoder %q after Fuse or ByteLevel is not supported: only Strip may follow them", c.Type)
	}
	if !d.fused && d.byteFallback && c.Type != "Fuse" {
		return fmt.Errorf("tokenizer.json: decoder %q after ByteFallback is not supported: only Fuse (then Strip) may follow it", c.Type)
	}
	st := decodeStep{}
	switch c.Type {
	case "ByteLevel":
		st.kind, d.fused = decByteLevel, true
	case "Fuse":
		d.fused = true
		return nil
	case "ByteFallback":
		st.kind, d.byteFallback = decByteFallback, true
	case "Replace":
		if st.from, err = stringPattern(c, "decoder"); err != nil {
			return err
		}
		st.kind, st.to = decReplace, *c.Content
	case "Metaspace":
		var scheme prependScheme
		if st.from, scheme, err = metaspace(c, "decoder"); err != nil {
			return err
		}
		st.kind, st.dropFirst = decMetaspace, scheme != prependNever
		d.first = d.first || st.dropFirst
	case "Strip":
		if c.Content == nil || utf8.RuneCountInString(*c.Content) != 1 || c.Start < 0 || c.Stop < 0 {
			return fmt.Errorf("tokenizer.json: decoder Strip needs a content of one character and non-negative start and stop")
		}
		st = decodeStep{kind: decStrip, from: *c.Content, start: c.Start, stop: c.Stop}
		if d.fused {
			d.whole = append(d.whole, st)
			return nil
		}
	default:
		return fmt.Errorf("tokenizer.json: decoder %q is not supported: only ByteLevel, Replace (of a string), ByteFallback, Fuse, Strip, Metaspace and Sequence of them can be loaded", c.Type)
	}
	d.perToken = append(d.perToken, st)
	return nil
}

// parsePostProcessor returns the ids a post_processor puts before and after
// a single text (Hugging Face's encode with add_special_tokens=True).
func parsePostProcessor(raw json.RawMessage) (prefix, suffix []int, err error) {
	c, ok, err := parseComponent(raw, "post_processor")
	if err != nil || !ok {
		return nil, nil, err
	}
	switch c.Type {
	case "ByteLevel":
		return nil, nil, nil
	case "Sequence":
		if len(c.Processors) > maxComponents {
			return nil, nil, fmt.Errorf("tokenizer.json: more than %d post-processors", maxComponents)
		}
		for _, p := range c.Processors {
			pre, suf, err := parsePostProcessor(p)
			if err != nil {
				return nil, nil, err
			}
			prefix, suffix = append(pre, prefix...), append(suffix, suf...)
		}
		return prefix, suffix, nil
	case "TemplateProcessing":
		seen := false // the text ($A) has been placed
		for _, piece := range c.Single {
			if seq, ok := piece["Sequence"]; ok {
				if seen || seq.ID != "A" {
					return nil, nil, fmt.Errorf("tokenizer.json: post_processor TemplateProcessing: the single template must hold the sequence A once")
				}
				seen = true
				continue
			}
			tok, ok := piece["SpecialToken"]
			special, known := c.SpecialTokens[tok.ID]
			if !ok || !known {
				return nil, nil, fmt.Errorf("tokenizer.json: post_processor TemplateProcessing: %v is neither a Sequence nor a SpecialToken listed in special_tokens", piece)
			}
			if seen {
				suffix = append(suffix, special.IDs...)
			} else {
				prefix = append(prefix, special.IDs...)
			}
		}
		if !seen {
			return nil, nil, fmt.Errorf("tokenizer.json: post_processor TemplateProcessing: the single template must hold the sequence A once")
		}
		return prefix, suffix, nil
	case "RobertaProcessing", "BertProcessing":
		cls, err1 := processorToken(c.CLS)
		sep, err2 := processorToken(c.SEP)
		if err1 != nil || err2 != nil {
			return nil, nil, fmt.Errorf("tokenizer.json: post_processor %s needs cls and sep as [token, id]", c.Type)
		}
		return []int{cls}, []int{sep}, nil
	}
	return nil, nil, fmt.Errorf("tokenizer.json: post_processor %q is not supported: only ByteLevel, TemplateProcessing, RobertaProcessing, BertProcessing and Sequence of them can be loaded", c.Type)
}

// processorToken reads the id of a ["<s>", 0] pair.
func processorToken(pair []json.RawMessage) (int, error) {
	var id int
	if len(pair) != 2 {
		return 0, fmt.Errorf("not a pair")
	}
	return id, json.Unmarshal(pair[1], &id)
}

// nesting returns how deep arrays and objects nest in JSON text.
func nesting(raw []byte) int {
	depth, deepest, inString := 0, 0, false
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}
