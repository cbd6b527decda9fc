package intake

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// benchLimits lift the rate limit: the benchmarks measure the server, not it.
func benchLimits(c *Config) { c.Limits.PerMinute, c.Limits.Burst = 1<<30, 1<<30 }

// BenchmarkIntakeSubmit: one client sends the form with a 200 KB upload,
// one after another; p50-ms and p90-ms are the time from sending to the
// redirect, which the server sends only once the sealed file and its folder
// are synced to disk. Percentiles need samples: run it with -benchtime 100x
// or more (1x gives one sample as both).
func BenchmarkIntakeSubmit(b *testing.B) {
	s := startTest(b, benchLimits)
	c := openClient(b, s)
	data := uploadData(1, 1, 200<<10)
	c.submit("Warm Up", []upload{{"id_document", "id.jpg", data}}) // the first one pays for folders and connections
	var times []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		ct, body := body(b, c.formToken(), goodFields(fmt.Sprint("Bench Person ", i)), []upload{{"id_document", "id.jpg", data}})
		b.StartTimer()
		t0 := time.Now()
		r := c.post(ct, body)
		times = append(times, time.Since(t0))
		if r.status != http.StatusSeeOther {
			b.Fatalf("POST = %d: %s", r.status, r.body)
		}
	}
	b.StopTimer()
	p50, p90 := percentile(times, 50), percentile(times, 90)
	b.ReportMetric(float64(p50)/1e6, "p50-ms")
	b.ReportMetric(float64(p90)/1e6, "p90-ms")
}

// BenchmarkIntakeLoad: the load test's shape (20 clients at once, 10
// submissions each with a 64 KB upload) per iteration; submissions/s.
func BenchmarkIntakeLoad(b *testing.B) {
	s := startTest(b, benchLimits)
	const clients, each = 20, 10
	cs := make([]*client, clients)
	for i := range cs {
		cs[i] = openClient(b, s)
	}
	b.ResetTimer()
	start := time.Now()
	for it := 0; it < b.N; it++ {
		var wg sync.WaitGroup
		for i := range cs {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				for n := 0; n < each; n++ {
					if err := trySubmit(cs[i], fmt.Sprintf("Client %d Number %d", i, n), uploadData(i, n, 64<<10)); err != nil {
						b.Error(err)
						return
					}
				}
			}(i)
		}
		wg.Wait()
	}
	b.StopTimer()
	b.ReportMetric(float64(clients*each*b.N)/time.Since(start).Seconds(), "submissions/s")
}

func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p+99)/100 - 1
	return s[max(i, 0)]
}
