package data

import (
	"strings"
	"testing"
)

type words struct{}

func (words) Encode(s string) []int { return make([]int, len(strings.Fields(s))) }
func (words) EOS() int              { return 0 }

func TestClean(t *testing.T) {
	exs := []Example{
		{"word: lantern\ndefinition:", " a light enclosed in a case"},
		{"  word: lantern\ndefinition:  ", "   a light enclosed in a case  "}, // trimmed, then an exact duplicate
		{"word: Lantern\ndefinition:", " A light, enclosed in a case!"},       // exact after normalising
		{"word: lamp\ndefinition:", " "},                                      // empty (and trimmed)
		{"word: lamp\ndefinition:", " an artificial source of visible illumination that is very long indeed and goes on and on"},
		{"word: torch\ndefinition:", " a light carried in the hand consisting of a burning stick"},
		{"word: torch\ndefinition:", " a light carried in the hand consisting of a burning stick of wood"}, // near
	}
	kept, rep := Clean(exs, words{}, CleanOptions{MaxTokens: 17, Near: 0.7})
	want := CleanReport{Trimmed: 2, Empty: 1, TooLong: 1, Exact: 2, Near: 1, Kept: 2}
	if rep != want {
		t.Errorf("report %+v, want %+v", rep, want)
	}
	if len(kept) != 2 || kept[0] != exs[0] || kept[1] != exs[5] {
		t.Errorf("kept %q", kept)
	}
	if got := trimCompletion("  \t x y \n"); got != " x y" {
		t.Errorf("trimCompletion gave %q", got)
	}
}

// TestLeakage plants exact and near copies of training rows in a test set.
func TestLeakage(t *testing.T) {
	train := []Example{
		{"Quote: The only way to have a friend is to be one.\nCategory:", " love"},
		{"Quote: Computers are useless. They can only give you answers.\nCategory:", " computers"},
		{"Quote: Never trust a computer you can't throw out a window.\nCategory:", " computers"},
	}
	test := []Example{
		{"Quote: Science is organized knowledge.\nCategory:", " science"},
		{"Quote: the only way to have a friend is to be one\nCategory:", " love"},                 // exact after normalising
		{"Quote: Never trust a computer you cannot throw out a window.\nCategory:", " computers"}, // near
	}
	leaks := Leakage(train, test, 0.5)
	if len(leaks) != 2 || leaks[0] != (Leak{Test: 1, Train: 0, Similarity: 1}) || leaks[1].Test != 2 || leaks[1].Train != 2 || leaks[1].Similarity >= 1 {
		t.Errorf("leaks %+v", leaks)
	}
	if exact := Leakage(train, test, 0); len(exact) != 1 {
		t.Errorf("exact-only leakage found %+v", exact)
	}
}
