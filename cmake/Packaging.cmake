# The Debian package of Jejak (ops/package.sh builds it): install() rules for the binary,
# the systemd unit, the example config and the documentation, and CPack's DEB generator
# with the maintainer scripts under ops/debian/. Included last by the top-level
# CMakeLists.txt.

# What the package installs. Relative destinations go under CPACK_PACKAGING_INSTALL_PREFIX
# (/usr); the unit and the config are placed where Debian keeps them.
install(TARGETS jejak RUNTIME DESTINATION bin)
install(FILES ${CMAKE_SOURCE_DIR}/ops/systemd/jejak.service DESTINATION /lib/systemd/system)
install(FILES ${CMAKE_SOURCE_DIR}/ops/jejak.example.conf
        DESTINATION /etc/jejak RENAME jejak.conf.example)
install(FILES
          ${CMAKE_SOURCE_DIR}/README.md
          ${CMAKE_SOURCE_DIR}/docs/deployment.md
          ${CMAKE_SOURCE_DIR}/docs/auditor-guide.md
          ${CMAKE_SOURCE_DIR}/docs/audit-rules.md
          ${CMAKE_SOURCE_DIR}/docs/witness.md
          ${CMAKE_SOURCE_DIR}/docs/verify_bundle.py
        DESTINATION share/doc/jejak)
install(FILES ${CMAKE_SOURCE_DIR}/server/openapi.yaml DESTINATION share/doc/jejak)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME jejak)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "Jejak maintainers <jejak@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "tamper-evident ledger of a regional government's spending (HTTPS API)")
set(CPACK_PACKAGE_DESCRIPTION
    "Jejak keeps a regional government's budget and expenditure records in an
append-only, hash-chained Merkle log with signed checkpoints, serves it over an
HTTPS API with per-role tokens, and lets auditors verify it offline.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
# jejak_<version>_<arch>.deb
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The shared libraries (OpenSSL, SOCI, SQLite, libxlsxwriter, libzip, libxml2, zlib, libstdc++) from
# dpkg-shlibdeps; adduser for the maintainer scripts.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/ops/debian/conffiles
    ${CMAKE_SOURCE_DIR}/ops/debian/postinst
    ${CMAKE_SOURCE_DIR}/ops/debian/prerm
    ${CMAKE_SOURCE_DIR}/ops/debian/postrm)
# Maintainer scripts 0755, conffiles 0644, whatever the checkout's modes.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
