package main

import (
	"slices"
	"strings"
	"testing"
)

func TestTorchEnv(t *testing.T) {
	t.Setenv("OPENBLAS_CORETYPE", "Haswell")
	t.Setenv("OPENBLAS_L2_SIZE", "1048576")
	t.Setenv("OPENBLAS_NUM_THREADS", "7")
	env, unset := torchEnv(2)
	if !slices.Equal(unset, []string{"OPENBLAS_CORETYPE=Haswell", "OPENBLAS_L2_SIZE=1048576"}) &&
		!slices.Equal(unset, []string{"OPENBLAS_L2_SIZE=1048576", "OPENBLAS_CORETYPE=Haswell"}) {
		t.Errorf("unset %v", unset)
	}
	var blas []string
	for _, kv := range env {
		if strings.HasPrefix(kv, "OPENBLAS_") || strings.HasPrefix(kv, "OMP_") {
			blas = append(blas, kv)
		}
	}
	slices.Sort(blas)
	if want := []string{"OMP_NUM_THREADS=2", "OPENBLAS_NUM_THREADS=2"}; !slices.Equal(blas, want) {
		t.Errorf("the child's BLAS variables are %v, want %v", blas, want)
	}
}

func TestRound(t *testing.T) {
	for _, c := range []struct{ x, want float64 }{{69.3214, 69.32}, {0.0123456, 0.0123}, {1354.567, 1354.57}, {0, 0}, {-2.3456, -2.35}} {
		if got := round(c.x); got != c.want {
			t.Errorf("round(%v) = %v, want %v", c.x, got, c.want)
		}
	}
}
