package data

import (
	"bufio"
	"io"
	"strings"
	"unicode/utf8"
)

// parseText reads one example per paragraph; blank lines separate
// paragraphs.
func parseText(in *bufio.Reader, opts Options) ([]Example, error) {
	var exs []Example
	var para []string
	flush := func() {
		if para != nil {
			exs = append(exs, Example{Completion: strings.Join(para, "\n")})
			para = nil
		}
	}
	for line := 1; ; line++ {
		s, err := in.ReadString('\n')
		if err != nil && err != io.EOF {
			return nil, readError(opts.Name, err)
		}
		if !utf8.ValidString(s) {
			return nil, &Error{opts.Name, line, "not valid UTF-8 (save the file as UTF-8)"}
		}
		s = strings.TrimSuffix(strings.TrimSuffix(s, "\n"), "\r")
		if strings.TrimSpace(s) == "" {
			flush()
		} else {
			para = append(para, s)
		}
		if err == io.EOF {
			flush()
			return exs, nil
		}
	}
}
