# lit configuration of Strata's compiler tests: .mlir files run through
# strata-opt / strata-translate and are checked with FileCheck.
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "Strata"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py.in"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.strata_obj_root, "tests", "lit")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%strata_src_root", config.strata_src_root))
config.substitutions.append(("%shared_models", config.strata_shared_dir))
# Tests write small weight files with %python (struct.pack) rather than
# keeping binary inputs in the repository.
config.substitutions.append(("%python", config.python_executable))

# FileCheck, not, count from LLVM; Strata's tools from the build tree.
llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
tool_dirs = [config.strata_tools_dir, config.llvm_tools_dir]
tools = ["strata-opt", ToolSubst("strata-translate", unresolved="ignore")]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# Directories without tests of their own.
config.excludes += ["Inputs"]
