package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// A Package is one Debian package that text comes from, pinned to a
// version so that the outputs are reproducible.
type Package struct {
	Name, Version string
}

// packages are the Debian packages every output is made from.
var packages = []Package{
	{"bible-kjv-text", "4.38"},
	{"dict-devil", "1.0-13.1"},
	{"dict-jargon", "4.4.7-3.1"},
	{"fortunes", "1:1.99.1-7.3"},
	{"fortunes-min", "1:1.99.1-7.3"},
	{"wordnet-base", "1:3.0-37"},
}

// A Fetched package is a .deb file and the directory it was extracted to.
type Fetched struct {
	Package
	Deb, Root string
	SHA256    string
}

// Path returns the path of a file of the package, given its path in the
// installed system (for example "/usr/share/dictd/devil.index").
func (f Fetched) Path(installed string) string {
	return filepath.Join(f.Root, filepath.FromSlash(installed))
}

// download makes sure that debs holds the pinned version of every package,
// running apt-get download for the missing ones, and returns the .deb
// paths in the order of packages.
func download(debs string) ([]string, error) {
	if err := os.MkdirAll(debs, 0o755); err != nil {
		return nil, err
	}
	paths := make([]string, len(packages))
	for i, p := range packages {
		path, err := findDeb(debs, p)
		if err != nil {
			return nil, err
		}
		if path == "" {
			cmd := exec.Command("apt-get", "download", p.Name+"="+p.Version)
			cmd.Dir = debs
			if out, err := cmd.CombinedOutput(); err != nil {
				return nil, fmt.Errorf("apt-get download %s=%s failed: %v\n%s\n(run `apt-get update` first; if Debian no longer has this version, update the pin in cmd/mkdata/fetch.go and regenerate the datasets)", p.Name, p.Version, err, out)
			}
			if path, err = findDeb(debs, p); err != nil {
				return nil, err
			}
			if path == "" {
				return nil, fmt.Errorf("apt-get download %s=%s wrote no .deb file in %s", p.Name, p.Version, debs)
			}
		}
		paths[i] = path
	}
	return paths, nil
}

// findDeb returns the .deb file in dir that holds package p at its pinned
// version, or "" when there is none.
func findDeb(dir string, p Package) (string, error) {
	matches, err := filepath.Glob(filepath.Join(dir, p.Name+"_*.deb"))
	if err != nil {
		return "", err
	}
	for _, m := range matches {
		name, version, err := debField(m)
		if err != nil {
			return "", err
		}
		if name == p.Name && version == p.Version {
			return m, nil
		}
	}
	return "", nil
}

// debField reads the package name and version of a .deb file.
func debField(deb string) (name, version string, err error) {
	out, err := exec.Command("dpkg-deb", "--show", "--showformat=${Package}\n${Version}\n", deb).Output()
	if err != nil {
		return "", "", fmt.Errorf("dpkg-deb --show %s: %v (is it a .deb file? delete it to download it again)", deb, err)
	}
	f := strings.Split(string(out), "\n")
	if len(f) < 2 {
		return "", "", fmt.Errorf("dpkg-deb --show %s printed %q, not a name and a version", deb, out)
	}
	return f[0], f[1], nil
}

// extract unpacks every package's .deb (in the order of packages) into a
// fresh directory under root.
func extract(root string, debs []string) ([]Fetched, error) {
	fetched := make([]Fetched, len(packages))
	for i, p := range packages {
		dir := filepath.Join(root, p.Name)
		if err := os.RemoveAll(dir); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		if out, err := exec.Command("dpkg-deb", "-x", debs[i], dir).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("dpkg-deb -x %s: %v\n%s", debs[i], err, out)
		}
		b, err := os.ReadFile(debs[i])
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		fetched[i] = Fetched{Package: p, Deb: debs[i], Root: dir, SHA256: hex.EncodeToString(sum[:])}
	}
	return fetched, nil
}

// fetch downloads (when missing) and extracts every package: the .deb
// files are kept in build/debs and unpacked into build/pkgs.
func fetch(build string) ([]Fetched, error) {
	debs, err := download(filepath.Join(build, "debs"))
	if err != nil {
		return nil, err
	}
	return extract(filepath.Join(build, "pkgs"), debs)
}

// readCopyright returns a package's copyright file after checking that it
// still says what the licence summary in sources.go relies on.
func readCopyright(f Fetched, mustSay []string) (string, error) {
	path := f.Path("/usr/share/doc/" + f.Name + "/copyright")
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s has no copyright file: %v", f.Name, err)
	}
	flat := strings.Join(strings.Fields(string(b)), " ")
	for _, s := range mustSay {
		if !strings.Contains(flat, s) {
			return "", fmt.Errorf("the copyright file of %s %s no longer says %q: read %s and update the licence notes in cmd/mkdata/sources.go", f.Name, f.Version, s, path)
		}
	}
	return strings.Trim(string(b), "\n"), nil
}
