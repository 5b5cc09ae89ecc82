package verify

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"reflect"
	"testing"

	"github.com/rvendor/rvendor/tree"
)

func sampleCache() map[string][]cacheEntry {
	m := map[string][]cacheEntry{"rust/vendor/library": nil, "empty": {}, "b": {{path: "only", st: tree.Stat{Size: -1, Mtime: -5}}}}
	for i := range 300 {
		e := cacheEntry{path: fmt.Sprintf("core/src/f%03d.rs", i),
			st: tree.Stat{Size: int64(i), Mtime: 1e18 + int64(i), Ctime: 7, Ino: 1 << 40, Dev: 3, Mode: 0o100644}}
		e.sum[i%32] = byte(i)
		m["rust/vendor/library"] = append(m["rust/vendor/library"], e)
	}
	return m
}

// TestCacheFormatRoundTrip: what encodeCache writes, decodeCache reads in
// place to the same entries, and find finds every path and no other.
func TestCacheFormatRoundTrip(t *testing.T) {
	m := sampleCache()
	data := encodeCache(m)
	views, ok := decodeCache(data)
	if !ok {
		t.Fatal("decodeCache refused what encodeCache wrote")
	}
	if len(views) != len(m) {
		t.Fatalf("%d dests read back, want %d", len(views), len(m))
	}
	for d, es := range m {
		got := views[d].entries()
		if len(es) == 0 && len(got) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, es) {
			t.Errorf("dest %q read back differently", d)
		}
		for i, e := range es {
			if j, ok := views[d].find(e.path); !ok || j != i {
				t.Errorf("dest %q: find(%q) = %d, %v; want %d", d, e.path, j, ok, i)
			}
		}
		for _, p := range []string{"", "core", "core/src/f000.r", "core/src/f999.rs", "zzz"} {
			if _, ok := views[d].find(p); ok {
				t.Errorf("dest %q: find(%q) found a record", d, p)
			}
		}
	}
	if string(encodeCache(m)) != string(data) {
		t.Error("encodeCache is not deterministic")
	}
}

// TestCacheFormatChecks: a cache whose header and length disagree, or
// whose checksum does not match, is refused.
func TestCacheFormatChecks(t *testing.T) {
	data := encodeCache(sampleCache())
	reseal := func(b []byte) []byte {
		body := b[:len(b)-4]
		return binary.LittleEndian.AppendUint32(body[:len(body):len(body)], crc32.ChecksumIEEE(body))
	}
	for name, mutate := range map[string]func([]byte) []byte{
		"bit flip":  func(b []byte) []byte { b[len(b)/2] ^= 1; return b },
		"truncated": func(b []byte) []byte { return b[:len(b)-1] },
		"one more record": func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[len(statCacheMagic)+4:], 301+1)
			return reseal(b)
		},
		"strings too long": func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[len(statCacheMagic)+8:], 1<<31)
			return reseal(b)
		},
		"dest past the records": func(b []byte) []byte { binary.LittleEndian.PutUint32(b[cacheHeaderSize+8:], 1<<20); return reseal(b) },
		"old format":            func(b []byte) []byte { b[len(statCacheMagic)-2] = '1'; return reseal(b) },
	} {
		b := mutate(append([]byte(nil), data...))
		if _, ok := decodeCache(b); ok {
			t.Errorf("%s: accepted", name)
		}
	}
}

// FuzzDecodeCache: any bytes with a matching checksum decode without a
// panic, and every view's records read without one.
func FuzzDecodeCache(f *testing.F) {
	f.Add(encodeCache(sampleCache())[len(statCacheMagic):])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, rest []byte) {
		b := append([]byte(statCacheMagic), rest...)
		b = binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
		views, ok := decodeCache(b)
		if !ok {
			return
		}
		for _, v := range views {
			for i := range v.len() {
				p := v.path(i)
				v.stat(i)
				v.sum(i)
				if j, ok := v.find(p); ok && v.path(j) != p {
					t.Fatalf("find(%q) returned record %d of path %q", p, j, v.path(j))
				}
			}
			v.entries()
		}
	})
}
