package vault

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

// TestForChunksFirstError: the parallel loop reports the failure a loop in
// order would (the lowest failing index), after running every index before
// it, whatever the number of workers.
func TestForChunksFirstError(t *testing.T) {
	t.Parallel()
	for _, workers := range []int{1, 2, 3, 8} {
		for _, fails := range [][]int{nil, {0}, {7}, {7, 50}, {50, 7, 99}, {99}} {
			const n = 100
			bad := map[int]bool{}
			for _, i := range fails {
				bad[i] = true
			}
			var mu sync.Mutex
			ran := map[int]bool{}
			err := forChunks(context.Background(), n, workers, func(w, i int) error {
				if w < 0 || w >= workers {
					t.Errorf("worker %d of %d", w, workers)
				}
				mu.Lock()
				ran[i] = true
				mu.Unlock()
				if bad[i] {
					return fmt.Errorf("chunk %d", i)
				}
				return nil
			})
			first := n
			for _, i := range fails {
				first = min(first, i)
			}
			if first == n {
				if err != nil || len(ran) != n {
					t.Fatalf("%d workers, no failure: err %v, ran %d of %d", workers, err, len(ran), n)
				}
				continue
			}
			if want := fmt.Sprintf("chunk %d", first); err == nil || err.Error() != want {
				t.Fatalf("%d workers, failures %v: err %v, want %s", workers, fails, err, want)
			}
			for i := range first {
				if !ran[i] {
					t.Fatalf("%d workers, failures %v: chunk %d before the first failure did not run", workers, fails, i)
				}
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := forChunks(ctx, 10, 2, func(int, int) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}
