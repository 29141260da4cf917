// Package gpt2 names the PyTorch fixtures in this directory (made by
// make_fixtures.py; see README.md): the model, data, initial adapter,
// expected.json and expected.safetensors.
package gpt2

import "prefixtune/tests/reference/fixture"

// Fixtures is this directory.
var Fixtures = fixture.Here()
