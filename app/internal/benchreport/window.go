package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// windowBench runs the window's Go benchmarks (ui/bench_test.go: the first
// screen after unlock and one search-as-you-type update, both over a demo
// vault of 10,000 clients, driven headlessly by fyne's test driver) and
// returns one row per benchmark: the median of count runs.
func windowBench(count int) ([]row, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return nil, fmt.Errorf("go not found: %w", err)
	}
	cmd := exec.Command(goBin, "test", "-tags", "migrated_fynedo", "-run", "^$",
		"-bench", "^Benchmark(FirstScreen|SearchUpdate)10k$", "-benchtime", "3x",
		"-count", strconv.Itoa(count), "./ui/")
	cmd.Env = append(os.Environ(), "LANG=en_US.UTF-8")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%v\n%s", err, out.String())
	}
	got := map[string]samples{}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || f[3] != "ns/op" {
			continue
		}
		ns, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i]
		}
		got[name] = append(got[name], ns/1e9)
	}
	var rows []row
	for _, b := range []struct{ key, label, notes string }{
		{"FirstScreen10k", "window: first screen after unlock, 10,000", "Enter on the unlock screen to the client list shown (test KDF; fyne test driver)"},
		{"SearchUpdate10k", "window: search-as-you-type update, 10,000", "one key press in the search field to the results shown"},
	} {
		s := got[b.key]
		if len(s) == 0 {
			return nil, fmt.Errorf("benchmark %s printed no result:\n%s", b.key, out.String())
		}
		rows = append(rows, durRow(b.label, s, b.notes+"; each sample the mean of 3 runs"))
	}
	return rows, nil
}
