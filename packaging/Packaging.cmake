# Turns the build into something people install: the install rules beyond
# the binary (desktop entry, AppStream metadata, icons, man page, systemd
# user unit, copyright) and CPack's Debian package. Included last by the
# top-level CMakeLists.txt.
#
#   cmake -S . -B build-pkg -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr
#   cmake --build build-pkg && (cd build-pkg && cpack -G DEB)
#
# Every version, name and URL below comes from project() in the top-level
# CMakeLists.txt, so --version, the About box, the man page, the AppStream
# release and the package version cannot disagree.

if(NOT UNIX OR APPLE)
    return()
endif()

include(GNUInstallDirs)

set(TOLLGATE_APP_ID io.github.tollgate.Tollgate)
# No LICENSE file in the repository yet: MIT is a placeholder the maintainers
# must confirm. Change it here and the License paragraph in copyright.in.
set(TOLLGATE_LICENSE MIT)
set(TOLLGATE_MAINTAINER "The Tollgate developers <maintainers@tollgate.invalid>")

set(_pkg_src ${CMAKE_CURRENT_LIST_DIR})
set(_pkg_out ${CMAKE_BINARY_DIR}/packaging)
file(MAKE_DIRECTORY ${_pkg_out})

# The release date shown by the man page, the AppStream release and the
# Debian changelog: the last commit's, so a rebuild of the same tree gives
# the same files. Outside git, today (or SOURCE_DATE_EPOCH).
if(NOT TOLLGATE_RELEASE_DATE)
    find_package(Git QUIET)
    if(GIT_FOUND)
        execute_process(COMMAND ${GIT_EXECUTABLE} -C ${PROJECT_SOURCE_DIR} log -1 --format=%cs%n%cD
                        OUTPUT_VARIABLE _git_dates OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
        if(_git_dates MATCHES "^([0-9-]+)\n(.+)$")
            set(TOLLGATE_RELEASE_DATE ${CMAKE_MATCH_1})
            set(TOLLGATE_RELEASE_TIME_RFC2822 ${CMAKE_MATCH_2})
        endif()
    endif()
    if(NOT TOLLGATE_RELEASE_DATE)
        string(TIMESTAMP TOLLGATE_RELEASE_DATE "%Y-%m-%d" UTC)
    endif()
endif()
if(NOT TOLLGATE_RELEASE_TIME_RFC2822)
    string(TIMESTAMP TOLLGATE_RELEASE_TIME_RFC2822 "%a, %d %b %Y %H:%M:%S +0000" UTC)
endif()
string(SUBSTRING ${TOLLGATE_RELEASE_DATE} 0 4 TOLLGATE_RELEASE_YEAR)

# The About box (CommandLine::aboutText()) names the homepage.
if(TARGET tollgate_config)
    target_compile_definitions(tollgate_config PRIVATE TOLLGATE_HOMEPAGE="${PROJECT_HOMEPAGE_URL}")
endif()

# --- man page: generated from the option list --help prints -----------------
add_executable(tollgate_manpage ${_pkg_src}/manpage/main.cpp)
target_link_libraries(tollgate_manpage PRIVATE tollgate_config)
target_compile_definitions(tollgate_manpage PRIVATE TOLLGATE_HOMEPAGE="${PROJECT_HOMEPAGE_URL}")
add_custom_command(
    OUTPUT ${_pkg_out}/tollgate.1 ${_pkg_out}/tollgate.1.gz
    # A sanitizer build runs the tool too; a leak report must not fail the build.
    COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0
            $<TARGET_FILE:tollgate_manpage> --date ${TOLLGATE_RELEASE_DATE} --output ${_pkg_out}/tollgate.1
    COMMAND gzip -9nkf ${_pkg_out}/tollgate.1
    DEPENDS tollgate_manpage
    COMMENT "Generating the tollgate(1) man page"
    VERBATIM)
set(_pkg_generated ${_pkg_out}/tollgate.1.gz)
install(FILES ${_pkg_out}/tollgate.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# --- icons: the window's SVG, rendered at the usual hicolor sizes -----------
set(_icon_svg ${PROJECT_SOURCE_DIR}/resources/icons/tollgate.svg)
if(EXISTS ${_icon_svg})
    install(FILES ${_icon_svg} DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
    find_program(TOLLGATE_RSVG_CONVERT rsvg-convert)
    find_program(TOLLGATE_IM_CONVERT convert)
    foreach(_size 16 32 48 64 128 256)
        set(_png ${_pkg_out}/icons/${_size}x${_size}/tollgate.png)
        if(TOLLGATE_RSVG_CONVERT)
            set(_render ${TOLLGATE_RSVG_CONVERT} --width ${_size} --height ${_size} --format png
                        --output ${_png} ${_icon_svg})
        elseif(TOLLGATE_IM_CONVERT)
            set(_render ${TOLLGATE_IM_CONVERT} -background none -density 384 ${_icon_svg}
                        -resize ${_size}x${_size} PNG32:${_png})
        else()
            message(WARNING "Neither rsvg-convert (librsvg2-bin) nor ImageMagick's convert found: "
                            "installing only the scalable icon")
            break()
        endif()
        add_custom_command(
            OUTPUT ${_png}
            COMMAND ${CMAKE_COMMAND} -E make_directory ${_pkg_out}/icons/${_size}x${_size}
            COMMAND ${_render}
            DEPENDS ${_icon_svg}
            COMMENT "Rendering the ${_size}x${_size} icon"
            VERBATIM)
        list(APPEND _pkg_generated ${_png})
        install(FILES ${_png} DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${_size}x${_size}/apps)
    endforeach()
else()
    message(WARNING "${_icon_svg} is missing: the package will have no icons")
endif()

# --- desktop entry, AppStream metadata, systemd unit, copyright -------------
install(FILES ${_pkg_src}/tollgate.desktop
        DESTINATION ${CMAKE_INSTALL_DATADIR}/applications RENAME ${TOLLGATE_APP_ID}.desktop)

configure_file(${_pkg_src}/${TOLLGATE_APP_ID}.metainfo.xml.in ${_pkg_out}/${TOLLGATE_APP_ID}.metainfo.xml @ONLY)
install(FILES ${_pkg_out}/${TOLLGATE_APP_ID}.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)

# systemd looks for user units under <prefix>/lib/systemd/user, never in a
# multiarch libdir, hence not CMAKE_INSTALL_LIBDIR.
set(TOLLGATE_SERVICE_EXEC ${CMAKE_INSTALL_FULL_BINDIR}/tollgate)
configure_file(${_pkg_src}/tollgate.service.in ${_pkg_out}/tollgate.service @ONLY)
install(FILES ${_pkg_out}/tollgate.service DESTINATION lib/systemd/user)

configure_file(${_pkg_src}/copyright.in ${_pkg_out}/copyright @ONLY)
configure_file(${_pkg_src}/changelog.in ${_pkg_out}/changelog @ONLY)
add_custom_command(
    OUTPUT ${_pkg_out}/changelog.gz
    COMMAND gzip -9nkf ${_pkg_out}/changelog
    DEPENDS ${_pkg_out}/changelog
    VERBATIM)
list(APPEND _pkg_generated ${_pkg_out}/changelog.gz)
install(FILES ${_pkg_out}/copyright ${_pkg_out}/changelog.gz DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/tollgate)

add_custom_target(tollgate_packaging_data ALL DEPENDS ${_pkg_generated})

# --- CPack: the Debian package -----------------------------------------------
# The package installs where the build was configured to (the unit's
# ExecStart names that path): configure with -DCMAKE_INSTALL_PREFIX=/usr.
if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    message(STATUS "Packaging: CMAKE_INSTALL_PREFIX is ${CMAKE_INSTALL_PREFIX}; "
                   "configure with -DCMAKE_INSTALL_PREFIX=/usr for a Debian package")
endif()
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tollgate)
set(CPACK_PACKAGE_VENDOR "The Tollgate developers")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${TOLLGATE_MAINTAINER})
set(CPACK_PACKAGE_HOMEPAGE_URL ${PROJECT_HOMEPAGE_URL})
# Debian wants a synopsis under 80 characters, lowercase, no final period.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "desktop AI gateway: OpenAI- and Anthropic-compatible LLM proxy")
# Wrapped by hand: dpkg shows these lines as they are.
set(CPACK_PACKAGE_DESCRIPTION
"Tollgate is a local gateway for large language model APIs. Point any
OpenAI- or Anthropic-compatible client at it by changing its base URL,
and every call is metered, priced, logged and governed: per-key rate
limits and spend caps, run budgets with a kill switch, fallback across
providers, a response cache and prompt templates.

It runs as a desktop window, or headless as a systemd user service
(tollgate --headless). A built-in simulated provider (--demo) lets you
try everything offline.")
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${TOLLGATE_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE ${PROJECT_HOMEPAGE_URL})
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# dpkg-shlibdeps finds the libraries the binary links (Qt Core, Network, Sql,
# HttpServer, Gui, Widgets, …). What Qt loads at run time as plugins it
# cannot see, so those are named: the SQLite driver for the store and the SVG
# icon engine and image plugin for the icons. The xcb platform plugin ships
# in libqt6gui6 itself on Debian 12 (qt6-qpa-plugins holds only vnc and tuio),
# so shlibdeps covers it; the Wayland plugin is recommended.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6sql6-sqlite, libqt6svg6")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qt6-wayland")

set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "/\\\\.cache/")

include(CPack)
