# Turns every file matching GLOB in DIR into a C++ source that defines
#   const std::map<std::string, std::string>& NAME();
# mapping file stems to contents, so an executable carries its templates with it.
# Run as a script: cmake -DDIR=... -DGLOB=... -DNAME=... -DOUT=... -P embed_files.cmake
file(GLOB files "${DIR}/${GLOB}")
list(SORT files)
set(body "")
foreach(f ${files})
  get_filename_component(stem "${f}" NAME_WE)
  file(READ "${f}" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," chars "${hex}")
  string(APPEND body "    {\"${stem}\", std::string({${chars}})},\n")
endforeach()
file(WRITE "${OUT}.tmp" "// Generated from ${GLOB} files by cmake/embed_files.cmake. Do not edit.\n#include <map>\n#include <string>\n\nconst std::map<std::string, std::string>& ${NAME}() {\n  static const std::map<std::string, std::string> files{\n${body}  };\n  return files;\n}\n")
configure_file("${OUT}.tmp" "${OUT}" COPYONLY)
