package vault

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"time"

	"golang.org/x/crypto/argon2"
)

// KDFParams are the Argon2id parameters of a passphrase key slot.
type KDFParams struct {
	Time      uint32 // passes over memory (t)
	MemoryKiB uint32 // memory in KiB (m)
	Threads   uint8  // lanes (p)
}

// Limits of KDF parameters accepted on Create and in a header.
const (
	MinMemoryKiB        = 8 * 1024   // hard floor: 8 MiB
	WarnMemoryKiB       = 64 * 1024  // below this, warn
	DefaultMemoryKiB    = 256 * 1024 // calibration uses at least this much
	MaxMemoryKiB        = 4 * 1024 * 1024
	MaxTime             = 1000
	DefaultCalibrateFor = time.Second
)

func (p KDFParams) String() string {
	return fmt.Sprintf("Argon2id t=%d m=%d MiB p=%d", p.Time, p.MemoryKiB/1024, p.Threads)
}

// Validate reports parameters outside the accepted range.
func (p KDFParams) Validate() error {
	switch {
	case p.MemoryKiB < MinMemoryKiB:
		return fmt.Errorf("KDF memory %d MiB is below the floor of %d MiB", p.MemoryKiB/1024, MinMemoryKiB/1024)
	case p.MemoryKiB > MaxMemoryKiB:
		return fmt.Errorf("KDF memory %d MiB is above the limit of %d MiB", p.MemoryKiB/1024, MaxMemoryKiB/1024)
	case p.Time < 1 || p.Time > MaxTime:
		return fmt.Errorf("KDF time %d is outside 1..%d", p.Time, MaxTime)
	case p.Threads < 1:
		return fmt.Errorf("KDF threads must be at least 1")
	}
	return nil
}

func (p KDFParams) derive(secret, salt []byte) []byte {
	return argon2.IDKey(secret, salt, p.Time, p.MemoryKiB, p.Threads, 32)
}

// DefaultThreads is the lane count used by calibration: the CPU count, capped at 4.
func DefaultThreads() uint8 {
	n := runtime.NumCPU()
	if n > 4 {
		n = 4
	}
	if n < 1 {
		n = 1
	}
	return uint8(n)
}

// Calibrate picks Argon2id parameters that take about target on this machine,
// with memoryKiB of memory (at least MinMemoryKiB). It measures real
// derivations, so it takes roughly 2*target.
func Calibrate(ctx context.Context, target time.Duration, memoryKiB uint32) (KDFParams, error) {
	if memoryKiB < MinMemoryKiB {
		memoryKiB = MinMemoryKiB
	}
	p := KDFParams{Time: 1, MemoryKiB: memoryKiB, Threads: DefaultThreads()}
	salt := make([]byte, 16)
	measure := func(p KDFParams) time.Duration {
		start := time.Now()
		p.derive([]byte("calibration"), salt)
		return time.Since(start)
	}
	if err := ctx.Err(); err != nil {
		return p, err
	}
	one := measure(p)
	if one <= 0 {
		one = time.Millisecond
	}
	// Time scales linearly with passes (t); extrapolate (rounding to the
	// nearest: the first pass also pays for touching fresh memory, as an
	// unlock in a new process does), then check once.
	t := uint32(math.Round(float64(target) / float64(one)))
	if t < 1 {
		t = 1
	}
	if t > MaxTime {
		t = MaxTime
	}
	p.Time = t
	if t > 1 {
		if err := ctx.Err(); err != nil {
			return p, err
		}
		got := measure(p)
		if got > target*3/2 && p.Time > 1 {
			p.Time = uint32(float64(p.Time) * float64(target) / float64(got))
			if p.Time < 1 {
				p.Time = 1
			}
		}
	}
	return p, nil
}
