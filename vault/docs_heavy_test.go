//go:build heavy

package vault

import (
	"bytes"
	"context"
	"crypto/sha256"
	"hash"
	"io"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"
)

// 100 MB round trip, and a 2 GiB document streamed in and out with the
// heap watched: memory stays flat in the document's size.

func TestDocument100MB(t *testing.T) {
	v, _, _ := newVault(t)
	data := detRand(101, 100_000_000)
	dw, _ := writeDoc(t, v, data)
	if dw.Size != int64(len(data)) || dw.SHA256 != sha256.Sum256(data) {
		t.Fatalf("size %d", dw.Size)
	}
	if got := readDoc(t, v, dw); !bytes.Equal(got, data) {
		t.Fatal("100 MB read back wrong")
	}
	again, b := writeDoc(t, v, data)
	if n, _ := b.Written(); n != 0 || len(again.Chunks) != len(dw.Chunks) {
		t.Fatalf("100 MB again wrote %d objects", n)
	}
}

// randStream is n pseudo-random bytes, made as they are read.
type randStream struct {
	r *rand.ChaCha8
	n int64
}

func (s *randStream) Read(p []byte) (int, error) {
	if s.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > s.n {
		p = p[:s.n]
	}
	n, _ := s.r.Read(p)
	s.n -= int64(n)
	return n, nil
}

// heapWatch samples the heap in use every 50 ms until stop; max is the
// highest sample.
type heapWatch struct {
	stop chan struct{}
	done sync.WaitGroup
	max  uint64
}

func watchHeap() *heapWatch {
	w := &heapWatch{stop: make(chan struct{})}
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			w.max = max(w.max, m.HeapInuse)
			select {
			case <-w.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

func (w *heapWatch) end() uint64 { close(w.stop); w.done.Wait(); return w.max }

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func TestDocument2GiBStreaming(t *testing.T) {
	const size = 2 << 30
	const ceiling = 64 << 20
	ctx := context.Background()
	v, _, _ := newVault(t)
	base := heapInUse()
	w := watchHeap()
	b := v.NewBatch()
	dw, err := b.WriteDocument(ctx, &randStream{rand.NewChaCha8([32]byte{1}), size}, testPol)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	b.Release()
	peak := w.end()
	t.Logf("writing 2 GiB: heap in use peaked %d MiB above the %d MiB before", (peak-base)>>20, base>>20)
	if peak > base+ceiling {
		t.Fatalf("writing 2 GiB: heap in use peaked at %d MiB, %d MiB above the %d MiB before", peak>>20, (peak-base)>>20, base>>20)
	}
	h := sha256.New()
	io.Copy(h, &randStream{rand.NewChaCha8([32]byte{1}), size})
	if dw.Size != size || !bytes.Equal(h.Sum(nil), dw.SHA256[:]) {
		t.Fatalf("size %d, hash differs", dw.Size)
	}
	base = heapInUse()
	w = watchHeap()
	var out countingHash
	out.h = sha256.New()
	if err := v.ReadDocument(ctx, dw.Chunks, dw.SHA256, &out); err != nil {
		t.Fatal(err)
	}
	peak = w.end()
	t.Logf("reading 2 GiB: heap in use peaked %d MiB above the %d MiB before", (peak-base)>>20, base>>20)
	if peak > base+ceiling {
		t.Fatalf("reading 2 GiB: heap in use peaked at %d MiB, %d MiB above the %d MiB before", peak>>20, (peak-base)>>20, base>>20)
	}
	if out.n != size || !bytes.Equal(out.h.Sum(nil), dw.SHA256[:]) {
		t.Fatalf("read %d bytes", out.n)
	}
	t.Logf("2 GiB in %d chunks", len(dw.Chunks))
}

type countingHash struct {
	h hash.Hash
	n int64
}

func (c *countingHash) Write(p []byte) (int, error) { c.n += int64(len(p)); return c.h.Write(p) }
