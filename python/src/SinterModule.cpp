//===- SinterModule.cpp - The sinter._sinter extension --------------------===//
//
// Python bindings of the compiler's C API (include/sinter-c/compiler.h):
// Context, Module and compile. Failures raise sinter.CompileError (a
// RuntimeError) with the context's message and MLIR's diagnostics.
//
//===----------------------------------------------------------------------===//
#include "sinter-c/compiler.h"

#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>

namespace py = pybind11;

namespace {
py::object compileError;

[[noreturn]] void raise(SinterContext ctx) {
  PyErr_SetString(compileError.ptr(), sinterContextGetError(ctx));
  throw py::error_already_set();
}

std::string take(char *s) {
  std::string out = s ? s : "";
  sinterStringFree(s);
  return out;
}

struct Context {
  Context() : ctx(sinterContextCreate()) {}
  ~Context() { sinterContextDestroy(ctx); }
  Context(const Context &) = delete;
  SinterContext ctx;
};

struct Module {
  Module(std::shared_ptr<Context> c, SinterModule m)
      : context(std::move(c)), module(m) {}
  ~Module() { sinterModuleDestroy(module); }
  Module(const Module &) = delete;
  std::shared_ptr<Context> context;
  SinterModule module;
};
} // namespace

PYBIND11_MODULE(_sinter, m) {
  m.doc() = "Sinter's compiler (C API bindings); use the `sinter` package.";
  compileError = py::reinterpret_borrow<py::object>(PyExc_RuntimeError);
  compileError = py::reinterpret_steal<py::object>(
      PyErr_NewException("sinter.CompileError", PyExc_RuntimeError, nullptr));
  m.attr("CompileError") = compileError;
  m.def("version", [] { return std::string(sinterVersion()); });
  m.def(
      "list_passes", [] { return take(sinterListPasses()); },
      "The registered passes, as `sinter-opt --list-passes` prints them.");
  m.def(
      "pass_is_registered",
      [](const std::string &name) {
        return sinterPassIsRegistered(name.c_str()) != 0;
      },
      py::arg("name"), "Whether a pipeline can name `name`.");
  m.def(
      "list_targets", [] { return take(sinterListTargets()); },
      "The target presets, one per line.");

  py::class_<Context, std::shared_ptr<Context>>(m, "Context")
      .def(py::init<>())
      .def(
          "parse",
          [](std::shared_ptr<Context> self, const std::string &text) {
            SinterModule mod =
                sinterModuleParse(self->ctx, text.data(), text.size());
            if (!mod)
              raise(self->ctx);
            return std::make_unique<Module>(self, mod);
          },
          py::arg("text"), "Parses MLIR text into a Module.")
      .def(
          "parse_file",
          [](std::shared_ptr<Context> self, const std::string &path) {
            SinterModule mod = sinterModuleParseFile(self->ctx, path.c_str());
            if (!mod)
              raise(self->ctx);
            return std::make_unique<Module>(self, mod);
          },
          py::arg("path"))
      .def(
          "read_manifest",
          [](std::shared_ptr<Context> self, const std::string &dir,
             const std::string &name) {
            char *text =
                sinterReadManifest(self->ctx, dir.c_str(), name.c_str());
            if (!text)
              raise(self->ctx);
            return take(text);
          },
          py::arg("output_dir"), py::arg("name"), "The manifest's JSON text.");

  py::class_<Module>(m, "Module")
      .def("__str__",
           [](Module &self) { return take(sinterModulePrint(self.module, 0)); })
      .def(
          "print",
          [](Module &self, bool generic) {
            return take(sinterModulePrint(self.module, generic));
          },
          py::arg("generic") = false)
      .def("clone",
           [](Module &self) {
             return std::make_unique<Module>(self.context,
                                             sinterModuleClone(self.module));
           })
      .def(
          "run_pipeline",
          [](Module &self, const std::string &pipeline) {
            char *output = nullptr;
            int rc =
                sinterModuleRunPipeline(self.module, pipeline.c_str(), &output);
            std::string text = take(output);
            if (rc)
              raise(self.context->ctx);
            return text;
          },
          py::arg("pipeline"),
          "Runs a pass pipeline in place; returns what the passes printed.")
      .def(
          "compile",
          [](Module &self, const std::string &target,
             const std::string &outputDir, const std::string &name,
             bool noGraph, const std::string &stopAfter,
             const std::string &gemmSchedule, int64_t kBlock,
             std::optional<std::function<void(const std::string &)>> progress) {
            SinterCompileOptions o;
            sinterCompileOptionsInit(&o);
            o.target = target.c_str();
            o.output_dir = outputDir.c_str();
            o.name = name.c_str();
            o.no_graph = noGraph;
            o.stop_after = stopAfter.empty() ? nullptr : stopAfter.c_str();
            o.gpu_gemm_schedule = gemmSchedule.c_str();
            o.k_block = kBlock;
            auto callback = [](const char *line, void *user) {
              auto *fn =
                  static_cast<std::function<void(const std::string &)> *>(user);
              (*fn)(line);
            };
            int rc = progress
                         ? sinterCompile(self.module, &o, callback, &*progress)
                         : sinterCompile(self.module, &o, nullptr, nullptr);
            if (rc)
              raise(self.context->ctx);
          },
          py::arg("target") = "", py::arg("output_dir") = ".",
          py::arg("name") = "model", py::arg("no_graph") = false,
          py::arg("stop_after") = "", py::arg("gpu_gemm_schedule") = "auto",
          py::arg("k_block") = 0, py::arg("progress") = py::none(),
          "Compiles the module (rewriting it) and writes the artifacts.");
}
