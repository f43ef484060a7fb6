# netc_add_model: compile a .net model into a static library at build time.
#
#   netc_add_model(<target> <file.net>
#                  [MODEL <name>]          # the model of a file that holds several (--model)
#                  [SCHEDULE <schedule>]   # hand (default), naive, adams2019, mullapudi2016, li2018
#                  [TARGET <halide-target>]  # default host
#                  [FEATURES <feature>...])  # Halide target features appended: host-no_asserts
#
# Runs `netc <file.net> --emit=lib -o <dir>/lib<target>.a` at build time, again whenever the
# .net file or netc changes, and makes <target> an imported static library: linking it puts
# <dir> (which holds <target>.h, the model's C API) on the include path and adds the
# libraries the model needs (threads, dl, math; the C++ runtime for C programs). The API's
# functions are named after the model: <model>_create, <model>_forward, ... In the spirit of
# Halide's add_halide_library. After the call, <target>_HEADER holds the header's path.

if(NOT TARGET Threads::Threads)
  find_package(Threads REQUIRED)
endif()

function(netc_add_model target file)
  cmake_parse_arguments(PARSE_ARGV 2 ARG "" "MODEL;SCHEDULE;TARGET" "FEATURES")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "netc_add_model: unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(TARGET netc::netc)
    set(netc netc::netc)
    set(netc_file $<TARGET_FILE:netc::netc>)
  elseif(NETC_EXECUTABLE)
    set(netc ${NETC_EXECUTABLE})
    set(netc_file ${NETC_EXECUTABLE})
  else()
    message(FATAL_ERROR "netc_add_model: no netc; use find_package(netc CONFIG)")
  endif()

  get_filename_component(source "${file}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${source}")
    message(FATAL_ERROR "netc_add_model(${target}): cannot find '${source}'")
  endif()

  set(args --emit=lib)
  if(ARG_MODEL)
    list(APPEND args --model=${ARG_MODEL})
  endif()
  if(ARG_SCHEDULE)
    list(APPEND args --schedule=${ARG_SCHEDULE})
  endif()
  set(halide_target host)
  if(ARG_TARGET)
    set(halide_target ${ARG_TARGET})
  endif()
  foreach(feature IN LISTS ARG_FEATURES)
    string(APPEND halide_target "-${feature}")
  endforeach()
  list(APPEND args --target=${halide_target})

  # The directory must exist when CMake generates: it is an imported target's include path.
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/${target}.netc")
  file(MAKE_DIRECTORY "${dir}")
  set(library "${dir}/lib${target}.a")
  set(header "${dir}/${target}.h")
  file(RELATIVE_PATH shown "${CMAKE_SOURCE_DIR}" "${source}")
  add_custom_command(
    OUTPUT "${library}" "${header}"
    COMMAND ${netc} "${source}" ${args} -o "${library}"
    DEPENDS "${source}" ${netc_file}
    COMMENT "netc: compiling ${shown} into lib${target}.a"
    VERBATIM)
  add_custom_target(${target}.netc DEPENDS "${library}" "${header}")

  add_library(${target} STATIC IMPORTED GLOBAL)
  set(link Threads::Threads ${CMAKE_DL_LIBS} m)
  get_property(languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  if("CXX" IN_LIST languages)
    set_target_properties(${target} PROPERTIES IMPORTED_LINK_INTERFACE_LANGUAGES CXX)
  else()
    # A C program links with the C compiler: the runtime inside needs libstdc++.
    list(APPEND link stdc++)
  endif()
  set_target_properties(${target} PROPERTIES
    IMPORTED_LOCATION "${library}"
    INTERFACE_INCLUDE_DIRECTORIES "${dir}"
    INTERFACE_LINK_LIBRARIES "${link}")
  add_dependencies(${target} ${target}.netc)
  set(${target}_HEADER "${header}" PARENT_SCOPE)
endfunction()
