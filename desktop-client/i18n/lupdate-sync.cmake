# Run by every build (cmake -P): lupdate on a copy of each .ts file, copied back only when it
# changed, so that an unchanged catalogue does not recompile and relink everything embedding it.
# In: LUPDATE (the tool), SOURCES_FILE (one source per line), TS_FILES, WORK_DIR, OPTIONS.
file(MAKE_DIRECTORY "${WORK_DIR}")
foreach(ts IN LISTS TS_FILES)
    get_filename_component(name "${ts}" NAME)
    set(copy "${WORK_DIR}/${name}")
    file(COPY_FILE "${ts}" "${copy}")
    execute_process(COMMAND "${LUPDATE}" ${OPTIONS} "@${SOURCES_FILE}" -ts "${copy}"
        RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "lupdate failed for ${name}:\n${output}")
    endif()
    file(COPY_FILE "${copy}" "${ts}" ONLY_IF_DIFFERENT)
endforeach()
