# Embeds every file of a directory into a target as a generated C++ table
# (askguru::embedded::kTable), re-generated when a file changes.
function(askguru_embed_directory target dir prefix)
  file(GLOB_RECURSE files CONFIGURE_DEPENDS ${dir}/*)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/embedded_${prefix}.cpp)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DDIR=${dir} -DPREFIX=${prefix} -DOUT=${out}
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedFilesScript.cmake
    DEPENDS ${files} ${PROJECT_SOURCE_DIR}/cmake/EmbedFilesScript.cmake
    COMMENT "Embedding ${prefix}/")
  target_sources(${target} PRIVATE ${out})
endfunction()
