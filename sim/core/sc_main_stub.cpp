// libsystemc references sc_main; ffasim's programs have their own main() and elaborate from it,
// so they link this empty definition (the Python module defines its own, with default
// visibility).
extern "C" int sc_main(int, char*[]) { return 0; }
