package main

import (
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"slices"
	"time"
)

// samples are durations in seconds.
type samples []float64

func (s samples) sorted() []float64 {
	c := slices.Clone([]float64(s))
	slices.Sort(c)
	return c
}

// quantile is the nearest-rank quantile (q in (0,1]).
func (s samples) quantile(q float64) float64 {
	if len(s) == 0 {
		return math.NaN()
	}
	c := s.sorted()
	i := int(math.Ceil(q*float64(len(c)))) - 1
	if i < 0 {
		i = 0
	}
	return c[i]
}

// median is the middle value (mean of the two middle ones for even counts).
func (s samples) median() float64 {
	if len(s) == 0 {
		return math.NaN()
	}
	c := s.sorted()
	n := len(c)
	if n%2 == 1 {
		return c[n/2]
	}
	return (c[n/2-1] + c[n/2]) / 2
}

func (s samples) p90() float64 { return s.quantile(0.9) }

// mean is the average (NaN when empty).
func (s samples) mean() float64 {
	if len(s) == 0 {
		return math.NaN()
	}
	var t float64
	for _, v := range s {
		t += v
	}
	return t / float64(len(s))
}

// timeIt runs f and returns its duration in seconds.
func timeIt(f func() error) (float64, error) {
	start := time.Now()
	err := f()
	return time.Since(start).Seconds(), err
}

// fmtDur prints seconds with a unit that keeps three significant digits.
func fmtDur(sec float64) string {
	switch {
	case math.IsNaN(sec):
		return "-"
	case sec >= 1:
		return fmt.Sprintf("%.2f s", sec)
	case sec >= 0.01:
		return fmt.Sprintf("%.1f ms", sec*1e3)
	case sec >= 0.001:
		return fmt.Sprintf("%.2f ms", sec*1e3)
	default:
		return fmt.Sprintf("%.0f µs", sec*1e6)
	}
}

func fmtBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// fmtCount prints 10000 as "10,000".
func fmtCount(n int) string {
	s := fmt.Sprint(n)
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// dirSize sums the sizes of the regular files under dir.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// listFiles lists the regular files under dir.
func listFiles(dir string) map[string]bool {
	out := map[string]bool{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			out[p] = true
		}
		return nil
	})
	return out
}
