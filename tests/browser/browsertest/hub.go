package browsertest

import (
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// Hub serves the files of dir as repository repo of a Hugging Face-style
// hub (repo/resolve/main/file) on a loopback port, to other origins, and
// counts the requests in requests. It returns the hub's base URL and stop,
// which closes it (as does the end of the test).
func Hub(t *testing.T, repo, dir string, requests *atomic.Int32) (url string, stop func()) {
	t.Helper()
	files := http.FileServer(http.Dir(dir))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
		name, ok := strings.CutPrefix(r.URL.Path, "/"+repo+"/resolve/main/")
		if !ok || strings.Contains(name, "/") {
			http.NotFound(w, r)
			return
		}
		r.URL.Path = "/" + name
		files.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String(), func() { srv.Close() }
}
