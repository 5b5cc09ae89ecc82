package fetch_test

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/rvendor/rvendor/fetch"
)

// maxExtractHeap bounds the heap in use while Extract writes
// fetch.MaxEntries tiny files (issue #10: 1M selected files took 653 MB
// of RSS).
const maxExtractHeap = 200 << 20

// TestExtractMemoryAtEntryCap extracts an archive of fetch.MaxEntries
// empty files, streamed from a generator goroutine through an io.Pipe
// (the archive is never held in memory), while a sampler reads
// runtime.MemStats every 5 ms, and checks the peak HeapInuse. It takes a
// minute or more and writes a million files, so it runs only with
// RVENDOR_BIG=1:
//
//	RVENDOR_BIG=1 go test ./fetch -run TestExtractMemoryAtEntryCap -count=1 -v
func TestExtractMemoryAtEntryCap(t *testing.T) {
	if testing.Short() || os.Getenv("RVENDOR_BIG") == "" {
		t.Skip("set RVENDOR_BIG=1 to extract a million files")
	}
	n := fetch.MaxEntries
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeManyFiles(pw, n)) }()
	defer pr.Close()

	runtime.GC()
	resetPeakRSS()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	stop := make(chan struct{})
	var peak runtime.MemStats
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peak.HeapInuse = max(peak.HeapInuse, m.HeapInuse)
			peak.Sys = max(peak.Sys, m.Sys)
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	start := time.Now()
	dst := filepath.Join(t.TempDir(), "dst")
	res, err := fetch.Extract(context.Background(), pr, fetch.FormatGzip, dst, fetch.Selection{Archive: "many.tar.gz"}, fetch.Limits{})
	took := time.Since(start)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != n {
		t.Fatalf("%d files written, want %d", len(res.Files), n)
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	t.Logf("%d files in %v: peak HeapInuse %d MiB, peak Sys %d MiB, peak RSS %s; heap in use after GC, Result held: %d MiB (before: %d MiB)",
		n, took.Round(time.Millisecond), peak.HeapInuse>>20, peak.Sys>>20, peakRSS(), after.HeapInuse>>20, base.HeapInuse>>20)
	if peak.HeapInuse > maxExtractHeap {
		t.Errorf("peak HeapInuse %d MiB, want at most %d MiB", peak.HeapInuse>>20, maxExtractHeap>>20)
	}
	runtime.KeepAlive(res)
}

// BenchmarkExtractManyFiles extracts 5,000 empty files per op, the
// archive streamed from a generator goroutine (whose allocations count
// too); with -benchmem it shows what an extraction allocates per file.
//
//	go test ./fetch -run '^$' -bench ExtractManyFiles -benchmem
func BenchmarkExtractManyFiles(b *testing.B) {
	const n = 5000
	for b.Loop() {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(writeManyFiles(pw, n)) }()
		res, err := fetch.Extract(context.Background(), pr, fetch.FormatGzip, filepath.Join(b.TempDir(), "dst"), fetch.Selection{}, fetch.Limits{})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Files) != n {
			b.Fatalf("%d files", len(res.Files))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/file")
}

// writeManyFiles writes a gzip-compressed tar of n empty files, 1024 to
// a folder, under the top-level folder "many-1.0.0", without folder
// entries (so that the n entries are all files).
func writeManyFiles(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	zw, err := gzip.NewWriterLevel(bw, gzip.BestSpeed)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(zw)
	hdr := &tar.Header{Typeflag: tar.TypeReg, Mode: 0o644, ModTime: time.Unix(0, 0), Format: tar.FormatUSTAR}
	var name []byte
	for i := range n {
		name = append(name[:0], "many-1.0.0/d"...)
		name = strconv.AppendInt(name, int64(i/1024), 10)
		name = append(name, "/file-"...)
		name = strconv.AppendInt(name, int64(i), 10)
		name = append(name, ".rs"...)
		hdr.Name = string(name)
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return bw.Flush()
}

// resetPeakRSS resets the kernel's VmHWM of this process, where it can.
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS returns the VmHWM line of /proc/self/status, or "unknown".
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for line := range bytes.Lines(b) {
		if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			return string(bytes.TrimSpace(v))
		}
	}
	return fmt.Sprint("unknown")
}
