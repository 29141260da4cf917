package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Bytes is a size for people: 512 B, 1.5 KB, 124 MB, 2.0 GB (powers of
// 1024, as memory is counted).
func Bytes[T int | int64](n T) string {
	v := float64(n)
	for _, unit := range []string{"B", "KB", "MB", "GB"} {
		if v < 1024 || unit == "GB" {
			if unit == "B" {
				return fmt.Sprintf("%d B", int64(n))
			}
			return trim(v) + " " + unit
		}
		v /= 1024
	}
	return ""
}

// trim prints v with three significant digits at most.
func trim(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// Count is a count for people: 1,234 below a million, 124.4 M above.
func Count[T int | int64](n T) string {
	if n >= 1e6 {
		return trim(float64(n)/1e6) + " M"
	}
	s := strconv.FormatInt(int64(n), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Percent is a share for people: 12 %, 0.83 %, 0.0012 %.
func Percent(f float64) string {
	p := 100 * f
	switch {
	case p == 0:
		return "0 %"
	case p >= 10:
		return strconv.FormatFloat(p, 'f', 0, 64) + " %"
	}
	return strconv.FormatFloat(p, 'g', 2, 64) + " %"
}

// Duration is a time for people: 48 ms, 0.4 s, 12 s, 3 min 5 s, 2 h 10 min.
func Duration(sec float64) string {
	switch {
	case math.IsNaN(sec) || sec < 0:
		return "–"
	case sec < 0.1:
		return strconv.FormatFloat(sec*1000, 'f', 0, 64) + " ms"
	case sec < 10:
		return strconv.FormatFloat(sec, 'f', 1, 64) + " s"
	case sec < 60:
		return strconv.FormatFloat(sec, 'f', 0, 64) + " s"
	case sec < 3600:
		m := int(sec) / 60
		return fmt.Sprintf("%d min %d s", m, int(sec)-60*m)
	}
	h := int(sec) / 3600
	return fmt.Sprintf("%d h %d min", h, (int(sec)-3600*h)/60)
}

// Loss prints a loss or perplexity with four significant digits.
func Loss(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

// Num prints a setting: 5e-05, 0.003, 512.
func Num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// Int prints an integer.
func Int[T int | int64 | uint64](v T) string { return fmt.Sprint(v) }
