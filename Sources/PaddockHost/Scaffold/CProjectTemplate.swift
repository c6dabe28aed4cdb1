import PaddockCore

/// A C driver project: NAME.c, minijson.c/.h, a Makefile that finds the header with pkg-config,
/// and a README. Builds with `make` and passes `paddock plugin test` as generated.
enum CProjectTemplate {
    static func files(_ request: ScaffoldRequest) -> [ScaffoldFile] {
        let template = KindTemplate.of(request.kind)
        let values = [
            "NAME": request.name, "KIND": request.kind.rawValue, "KIND_UPPER": request.kind.rawValue.uppercased(),
            "DESCRIPTION": template.description, "SUMMARY": template.summary,
        ]
        let driver = CDriverPrelude.text + "\n" + template.cOperations + "\n" + CDriverEpilogue.text + "\n"
        return [
            ScaffoldFile("\(request.name).c", TemplateText.fill(driver, values)),
            ScaffoldFile("minijson.h", CMiniJSONHeader.text + "\n"),
            ScaffoldFile("minijson.c", CMiniJSONSource.text + "\n"),
            ScaffoldFile("Makefile", TemplateText.fill(makefile, values)),
            ScaffoldFile("README.md", ScaffoldReadme.c(request, template)),
            ScaffoldFile(".gitignore", "*.so\n*.o\n"),
        ]
    }

    static let makefile = """
        # Builds {{NAME}}.so against the installed Paddock header only, found with pkg-config.
        # Install the SDK from the Paddock tree with `scripts/install-sdk PREFIX`, and for a PREFIX
        # pkg-config does not search, set PKG_CONFIG_PATH=PREFIX/lib/pkgconfig. Or pass
        # PADDOCK_CFLAGS=-I/path/to/include to skip pkg-config.
        CC ?= cc
        CFLAGS ?= -O2 -g -Wall -Wextra -Werror
        OUT ?= {{NAME}}.so
        SOURCES = {{NAME}}.c minijson.c

        ifeq ($(origin PADDOCK_CFLAGS),undefined)
          ifneq ($(shell pkg-config --exists paddock && echo found),found)
            $(error pkg-config cannot find paddock: run scripts/install-sdk PREFIX in the Paddock tree and set PKG_CONFIG_PATH=PREFIX/lib/pkgconfig, or pass PADDOCK_CFLAGS=-I/path/to/include)
          endif
          PADDOCK_CFLAGS := $(shell pkg-config --cflags paddock)
        endif

        all: $(OUT)

        $(OUT): $(SOURCES) minijson.h
        \t$(CC) $(CFLAGS) $(PADDOCK_CFLAGS) -shared -fPIC -o $@ $(SOURCES)

        # The conformance kit: every rule of the contract, one line per check.
        test: $(OUT)
        \tpaddock plugin test ./$(OUT)

        clean:
        \trm -f $(OUT)

        .PHONY: all test clean

        """
}
