// Sprig's path functions: Go's path package (base, dir, clean, ext, isAbs) and path/filepath on
// Linux (osBase, osDir, osClean, osExt, osIsAbs, identical to path there).
#include "charts/sprig_internal.h"

namespace keelson::charts::sprig {

// Go's path.Clean: lexical processing of "." and ".." and repeated slashes.
std::string GoPathClean(const std::string& p) {
  if (p.empty()) return ".";
  bool rooted = p[0] == '/';
  std::string out;
  size_t n = p.size();
  size_t r = 0;
  size_t dotdot = 0;
  if (rooted) {
    out.push_back('/');
    r = 1;
    dotdot = 1;
  }
  while (r < n) {
    if (p[r] == '/') {
      ++r;
    } else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
      ++r;
    } else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
      r += 2;
      if (out.size() > dotdot) {
        size_t w = out.size() - 1;
        while (w > dotdot && out[w] != '/') --w;
        out.resize(w);
      } else if (!rooted) {
        if (!out.empty()) out.push_back('/');
        out += "..";
        dotdot = out.size();
      }
    } else {
      if ((rooted && out.size() != 1) || (!rooted && !out.empty())) out.push_back('/');
      for (; r < n && p[r] != '/'; ++r) out.push_back(p[r]);
    }
  }
  if (out.empty()) return ".";
  return out;
}

namespace {

std::string Base(std::string p) {
  if (p.empty()) return ".";
  while (!p.empty() && p.back() == '/') p.pop_back();
  auto i = p.rfind('/');
  if (i != std::string::npos) p = p.substr(i + 1);
  if (p.empty()) return "/";
  return p;
}

std::string Dir(const std::string& p) {
  auto i = p.rfind('/');
  std::string dir = i == std::string::npos ? "" : p.substr(0, i + 1);
  return GoPathClean(dir);
}

std::string Ext(const std::string& p) {
  for (size_t i = p.size(); i-- > 0 && p[i] != '/';) {
    if (p[i] == '.') return p.substr(i);
  }
  return "";
}

void DefPath(FuncMap& m, const char* name, const char* os_name,
             std::string (*f)(const std::string&)) {
  auto fn = [f](Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    return f(s);
  };
  Def(m, name, 1, 1, fn);
  Def(m, os_name, 1, 1, fn);
}

std::string BaseRef(const std::string& p) { return Base(p); }

}  // namespace

void AddPathFunctions(FuncMap& m) {
  DefPath(m, "base", "osBase", BaseRef);
  DefPath(m, "dir", "osDir", Dir);
  DefPath(m, "clean", "osClean", GoPathClean);
  DefPath(m, "ext", "osExt", Ext);
  auto is_abs = [](Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    return s.starts_with("/");
  };
  Def(m, "isAbs", 1, 1, is_abs);
  Def(m, "osIsAbs", 1, 1, is_abs);
}

}  // namespace keelson::charts::sprig
