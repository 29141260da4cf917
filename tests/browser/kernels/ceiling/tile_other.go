//go:build !amd64

package ceiling

import "errors"

var tiles = map[string]tile{}

func usable() error { return errors.New("ceiling: the native tiles are written for x86-64 only") }
