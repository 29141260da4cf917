package protocol

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Envelope is one message on the wire: the id of the request it is or
// answers, the type of its body, and the body.
type Envelope struct {
	ID   uint64          `json:"id"`
	Type string          `json:"type"`
	Body json.RawMessage `json:"body,omitempty"`
}

// Request is a message from the UI to the engine.
type Request interface {
	// RequestType is the envelope's type tag.
	RequestType() string
}

// Event is a message from the engine to the UI.
type Event interface {
	// EventType is the envelope's type tag.
	EventType() string
}

// Terminal reports whether e ends the request it answers: every event but
// Progress, Token and Ready does.
func Terminal(e Event) bool {
	switch e.(type) {
	case Progress, Token, Ready:
		return false
	}
	return true
}

// EncodeRequest returns the JSON envelope of request r with the given id.
func EncodeRequest(id uint64, r Request) ([]byte, error) {
	if id == 0 {
		return nil, fmt.Errorf("protocol: a request needs an id of at least 1")
	}
	return encode(id, r.RequestType(), r)
}

// EncodeEvent returns the JSON envelope of event e about request id (0 for
// Ready).
func EncodeEvent(id uint64, e Event) ([]byte, error) {
	return encode(id, e.EventType(), e)
}

func encode(id uint64, typ string, body any) ([]byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("protocol: encoding %s: %w", typ, err)
	}
	return json.Marshal(Envelope{ID: id, Type: typ, Body: b})
}

// DecodeRequest parses a request envelope. Unknown types and unknown
// fields are errors, so a misspelt option never passes silently.
func DecodeRequest(b []byte) (uint64, Request, error) {
	env, err := decodeEnvelope(b)
	if err != nil {
		return 0, nil, err
	}
	if env.ID == 0 {
		return 0, nil, fmt.Errorf("protocol: %s request without an id (ids start at 1)", env.Type)
	}
	dec, ok := requestTypes[env.Type]
	if !ok {
		return env.ID, nil, fmt.Errorf("protocol: unknown request type %q", env.Type)
	}
	r, err := dec(env.Body)
	if err != nil {
		return env.ID, nil, fmt.Errorf("protocol: %s request: %w", env.Type, err)
	}
	return env.ID, r, nil
}

// DecodeEvent parses an event envelope.
func DecodeEvent(b []byte) (uint64, Event, error) {
	env, err := decodeEnvelope(b)
	if err != nil {
		return 0, nil, err
	}
	dec, ok := eventTypes[env.Type]
	if !ok {
		return env.ID, nil, fmt.Errorf("protocol: unknown event type %q", env.Type)
	}
	e, err := dec(env.Body)
	if err != nil {
		return env.ID, nil, fmt.Errorf("protocol: %s event: %w", env.Type, err)
	}
	return env.ID, e, nil
}

func decodeEnvelope(b []byte) (Envelope, error) {
	var env Envelope
	if err := strict(b, &env); err != nil {
		return Envelope{}, fmt.Errorf("protocol: not a message envelope: %w", err)
	}
	if env.Type == "" {
		return Envelope{}, fmt.Errorf("protocol: message without a type")
	}
	return env, nil
}

// strict decodes b into v, refusing unknown fields and trailing data. An
// empty body decodes as {}.
func strict(b []byte, v any) error {
	if len(bytes.TrimSpace(b)) == 0 {
		b = []byte("{}")
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return fmt.Errorf("trailing data after the JSON object")
	}
	return nil
}

func decodeAs[T any](b json.RawMessage) (T, error) {
	var v T
	err := strict(b, &v)
	return v, err
}

func req[T Request](b json.RawMessage) (Request, error) { return decodeAs[T](b) }
func ev[T Event](b json.RawMessage) (Event, error)      { return decodeAs[T](b) }

// requestTypes and eventTypes decode each body type by its tag.
var requestTypes = map[string]func(json.RawMessage) (Request, error){}
var eventTypes = map[string]func(json.RawMessage) (Event, error){}

func init() {
	for _, r := range []struct {
		r   Request
		dec func(json.RawMessage) (Request, error)
	}{
		{CheckModel{}, req[CheckModel]}, {LoadModel{}, req[LoadModel]}, {LoadData{}, req[LoadData]}, {DescribeData{}, req[DescribeData]},
		{Estimate{}, req[Estimate]}, {Train{}, req[Train]}, {Pause{}, req[Pause]}, {Resume{}, req[Resume]},
		{Cancel{}, req[Cancel]}, {Evaluate{}, req[Evaluate]}, {Generate{}, req[Generate]},
		{ExportAdapter{}, req[ExportAdapter]}, {ImportAdapter{}, req[ImportAdapter]},
		{ListCheckpoints{}, req[ListCheckpoints]}, {LoadCheckpoint{}, req[LoadCheckpoint]},
		{DeleteCheckpoint{}, req[DeleteCheckpoint]},
	} {
		requestTypes[r.r.RequestType()] = r.dec
	}
	for _, e := range []struct {
		e   Event
		dec func(json.RawMessage) (Event, error)
	}{
		{Ready{}, ev[Ready]}, {Progress{}, ev[Progress]}, {Token{}, ev[Token]}, {Error{}, ev[Error]}, {OK{}, ev[OK]},
		{ModelChecked{}, ev[ModelChecked]}, {ModelLoaded{}, ev[ModelLoaded]}, {DataLoaded{}, ev[DataLoaded]}, {DataStats{}, ev[DataStats]},
		{Estimated{}, ev[Estimated]}, {Trained{}, ev[Trained]}, {Paused{}, ev[Paused]},
		{Evaluated{}, ev[Evaluated]}, {Generated{}, ev[Generated]}, {AdapterFiles{}, ev[AdapterFiles]},
		{AdapterImported{}, ev[AdapterImported]}, {Checkpoints{}, ev[Checkpoints]},
		{CheckpointLoaded{}, ev[CheckpointLoaded]},
	} {
		eventTypes[e.e.EventType()] = e.dec
	}
}
