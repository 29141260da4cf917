package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"prefixtune/worker/mirror"
	"prefixtune/worker/site"
)

// serve runs the local web server: the static site from --dir with the
// security headers of worker/site, and the model mirror under /hub/. It
// stops cleanly on SIGINT or SIGTERM.
func serve(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (host:port); keep a loopback host unless the page is meant for other machines")
	dir := fs.String("dir", "public", "folder of the static site")
	hub := fs.String("hub", mirror.DefaultUpstream, "model hub to mirror under /hub/ and let the page connect to; empty for neither")
	hubCache := fs.String("hub-cache", defaultHubCache(), "folder the mirror keeps model files in; empty to keep them in memory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve takes no arguments, got %q", fs.Args())
	}
	if fi, err := os.Stat(*dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("--dir %s is not a folder: build the site first (make run) or point --dir at it", *dir)
	}
	root, err := os.OpenRoot(*dir) // no symbolic link leads out of it
	if err != nil {
		return fmt.Errorf("--dir: %w", err)
	}
	defer root.Close()
	errLog := log.New(stderr, "prefixtune serve: ", 0)
	cfg := site.Config{Static: root.FS(), Compress: true}
	if *hub != "" {
		m, origins, err := newMirror(*hub, *hubCache, errLog)
		if err != nil {
			return err
		}
		cfg.Mirror, cfg.HubOrigins = m, origins
	}
	h, err := site.New(cfg)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("--addr %s: %w", *addr, err)
	}
	if host, _, _ := net.SplitHostPort(*addr); host == "" || (!net.ParseIP(host).IsLoopback() && host != "localhost") {
		fmt.Fprintf(stderr, "note: %s is reachable from other machines; use --addr 127.0.0.1:PORT to keep it local\n", ln.Addr())
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: errLog}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "Prefixtune is at http://%s/ (Ctrl-C to stop)\n", ln.Addr())
	if *hub != "" {
		where := "in memory"
		if *hubCache != "" {
			where = "in " + *hubCache
		}
		fmt.Fprintf(stdout, "Model files from %s are mirrored under /hub/ and kept %s\n", *hub, where)
	}

	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		return fmt.Errorf("stopping the server: %w", err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(stdout, "stopped")
	return nil
}

// newMirror returns the mirror of hub cached in cacheDir (in memory when
// empty), and the origins the page may connect to for it.
func newMirror(hub, cacheDir string, errLog *log.Logger) (http.Handler, []string, error) {
	var cache mirror.Cache = mirror.NewMemory(1 << 30)
	if cacheDir != "" {
		d, err := mirror.NewDisk(cacheDir)
		if err != nil {
			return nil, nil, fmt.Errorf("--hub-cache: %w", err)
		}
		cache = d
	}
	m, err := mirror.New(mirror.Config{Upstream: hub, Cache: cache, ErrorLog: errLog})
	if err != nil {
		return nil, nil, fmt.Errorf("--hub: %w", err)
	}
	if hub == mirror.DefaultUpstream {
		return m, site.DefaultHubOrigins, nil
	}
	u, _ := url.Parse(hub) // checked by mirror.New
	return m, []string{u.Scheme + "://" + u.Host}, nil
}

// defaultHubCache is the user's cache folder for mirrored model files, or
// empty (memory) when the system has none.
func defaultHubCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "prefixtune", "hub")
}
