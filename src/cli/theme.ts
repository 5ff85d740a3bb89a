// The screens' colours, from the command line, the config file and the environment.
import { themeSetting } from "../store/profiles.js";
import { chooseTheme, type Theme } from "../ui/theme.js";

/** `--theme`, else the config file's `theme`, else mono where NO_COLOR is set; an unknown name is refused. */
export function screensTheme(flag: string | undefined): Theme {
  return chooseTheme({ flag, configured: themeSetting(), env: process.env });
}
