package vault

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"time"

	"golang.org/x/crypto/argon2"
)

// KDFParams are the Argon2id parameters of a passphrase key slot.
type KDFParams struct {
	Time      uint32 // passes over memory (t)
	MemoryKiB uint32 // memory in KiB (m)
	Threads   uint8  // lanes (p)
}

// Limits of KDF parameters accepted on Create, on a passphrase change and in
// any header or backup key file read (docs/FORMAT.md, "Key derivation"). The
// upper limits are what this program would ever write: a header beyond them
// was not made by casevault, and deriving with it could cost minutes and
// gigabytes (a forged key file on a backup drive).
const (
	MinMemoryKiB        = 8 * 1024    // hard floor: 8 MiB
	WarnMemoryKiB       = 64 * 1024   // below this, warn
	DefaultMemoryKiB    = 256 * 1024  // calibration uses at least this much
	MaxMemoryKiB        = 1024 * 1024 // 1 GiB: four times the default
	MaxTime             = 1000        // passes; at most MaxCost/m as well
	MaxThreads          = 4           // DefaultThreads never gives more
	DefaultCalibrateFor = time.Second
	// MaxCost bounds t*m (KiB-passes): 16 GiB of memory passes, about four
	// times what one second buys on a fast machine (about 4 GiB/s over 4
	// lanes), so Calibrate never reaches it, and one derivation stays
	// within seconds even on a slow laptop.
	MaxCost = 16 * 1024 * 1024
)

func (p KDFParams) String() string {
	return fmt.Sprintf("Argon2id t=%d m=%s p=%d", p.Time, MemoryString(uint64(p.MemoryKiB)), p.Threads)
}

// MemoryString prints a memory size given in KiB exactly: whole MiB as
// "N MiB", anything else as "N KiB" (never rounded down to a wrong number).
func MemoryString(kib uint64) string {
	if kib%1024 == 0 {
		return fmt.Sprintf("%d MiB", kib/1024)
	}
	return fmt.Sprintf("%d KiB", kib)
}

// Cost is t*m in KiB-passes, the work of one derivation (see MaxCost).
func (p KDFParams) Cost() uint64 { return uint64(p.Time) * uint64(p.MemoryKiB) }

// Validate reports parameters outside the accepted range.
func (p KDFParams) Validate() error {
	switch {
	case p.MemoryKiB < MinMemoryKiB:
		return fmt.Errorf("KDF memory %s is below the floor of %s", MemoryString(uint64(p.MemoryKiB)), MemoryString(MinMemoryKiB))
	case p.MemoryKiB > MaxMemoryKiB:
		return fmt.Errorf("KDF memory %s is above the limit of %s that casevault writes", MemoryString(uint64(p.MemoryKiB)), MemoryString(MaxMemoryKiB))
	case p.Time < 1 || p.Time > MaxTime:
		return fmt.Errorf("KDF time %d is outside 1..%d", p.Time, MaxTime)
	case p.Cost() > MaxCost:
		return fmt.Errorf("KDF time %d with %s of memory is above the limit of %d passes at that memory that casevault writes",
			p.Time, MemoryString(uint64(p.MemoryKiB)), MaxCost/uint64(p.MemoryKiB))
	case p.Threads < 1 || p.Threads > MaxThreads:
		return fmt.Errorf("KDF threads %d is outside 1..%d", p.Threads, MaxThreads)
	}
	return nil
}

// kdfHook, if set, is called at each Argon2id derivation (tests count them).
var kdfHook func()

func (p KDFParams) derive(secret, salt []byte) []byte {
	if kdfHook != nil {
		kdfHook()
	}
	k := argon2.IDKey(secret, salt, p.Time, p.MemoryKiB, p.Threads, 32)
	// Argon2id's memory (256 MiB by default) is garbage now. Left to the
	// garbage collector, it stays resident for minutes (the heap's next
	// collection is sized from it), and a second derivation (a passphrase
	// change after the unlock) takes as much again: return it to the
	// operating system at once. The collection this runs is cheap here,
	// before the database is loaded or outside the Go heap.
	debug.FreeOSMemory()
	return k
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
	if memoryKiB > MaxMemoryKiB {
		memoryKiB = MaxMemoryKiB
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
	if lim := uint32(MaxCost / uint64(memoryKiB)); t > lim {
		t = max(lim, 1)
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
