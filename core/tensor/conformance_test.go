package tensor_test

import (
	"testing"

	"prefixtune/core/tensor"
	"prefixtune/core/tensor/tensortest"
)

func TestConformanceCPU(t *testing.T) {
	tensortest.Run(t, func() tensor.Device { return tensor.NewCPU() })
}
