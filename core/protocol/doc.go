// Package protocol owns the typed messages between the UI and the engine
// worker: requests the UI sends, and events the engine answers with. It is
// plain data and its JSON encoding; nothing here computes, so the UI can
// import it without pulling in the core.
//
// # Wire format
//
// Every message is one JSON object, an Envelope:
//
//	{"id": 7, "type": "train", "body": {...}}
//
// type names the Go type of body (RequestType or EventType). A request's id
// is chosen by the sender and is at least 1; every event the engine sends
// about that request carries the same id: any number of Progress and Token
// events, then exactly one terminal event, the request's result type (see
// each request) or an Error. Ready has id 0: it answers no request.
//
// The engine runs requests one at a time, in the order it receives them;
// Pause and Cancel act at once on the running request.
//
// Files and Blobs cannot travel in JSON. The sender posts them beside the
// message text, as an array, and a request names them by their index in it
// (LoadModel.Files, LoadData.File, ImportAdapter): the engine reads them in
// its worker, so file contents are never copied through the page.
//
// Bytes (exported adapters) are base64 strings in JSON, as encoding/json
// writes []byte.
//
// # Defaults
//
// Fields left out of a request's JSON take the defaults of the command line
// (`prefixtune train -h`): TrainOptions fills them in while decoding, and
// zero values of other requests are documented where they mean a default.
// An explicit zero keeps the meaning the command line gives it (clip 0: no
// clipping; lr 0: the default learning rate).
//
// Files: envelope.go (Envelope, encoding, the type registry), requests.go,
// events.go, options.go (TrainOptions).
package protocol
