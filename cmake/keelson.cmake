# keelson_library(NAME [PUBLIC deps...] [PRIVATE deps...]): one library per component folder,
# built from every *.cc in the folder except *_main.cc (those are binaries).
function(keelson_library name)
  cmake_parse_arguments(ARG "" "" "PUBLIC;PRIVATE" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  list(FILTER srcs EXCLUDE REGEX "_main\\.cc$")
  if(NOT srcs)
    # A component with only its contract header so far.
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${CMAKE_SOURCE_DIR})
    target_link_libraries(${name} INTERFACE ${ARG_PUBLIC})
    return()
  endif()
  add_library(${name} STATIC ${srcs})
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_PUBLIC} PRIVATE ${ARG_PRIVATE})
endfunction()

# keelson_tests(NAME [deps...]): one GoogleTest binary from every *_test.cc in the folder.
# Tests whose suite name starts with Root need root (and runc/CNI); they carry the label "root".
function(keelson_tests name)
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cc)
  if(NOT srcs)
    return()
  endif()
  add_executable(${name} ${srcs})
  target_link_libraries(${name} PRIVATE ${ARGN} GTest::gtest GTest::gmock GTest::gtest_main)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
    PROPERTIES ENVIRONMENT "KEELSON_BUILD_DIR=${CMAKE_BINARY_DIR};KEELSON_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endfunction()
