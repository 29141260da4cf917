package tune

import "fmt"

// Multi trains several prefixes of one model in one loop, one per task,
// taking a step of each unfinished run in turn. The runs share the model's
// frozen weights; each has its own prefix, optimiser and data.
type Multi struct {
	Runs []*Run
	next int
}

// Done reports whether every run is done.
func (m *Multi) Done() bool {
	for _, r := range m.Runs {
		if !r.Done() {
			return false
		}
	}
	return true
}

// Step takes the next step of the next unfinished run and returns which
// run it was.
func (m *Multi) Step() (int, Step, error) {
	for range m.Runs {
		i := m.next
		m.next = (m.next + 1) % len(m.Runs)
		if !m.Runs[i].Done() {
			st, err := m.Runs[i].Step()
			if err != nil {
				return i, st, fmt.Errorf("task %d: %w", i+1, err)
			}
			return i, st, nil
		}
	}
	return 0, Step{}, fmt.Errorf("every run is done")
}
