import { teamsDarkTheme, teamsHighContrastTheme, teamsLightTheme, Theme } from '@fluentui/react-components';

/** Fluent's Teams theme for a Teams theme name (`default`, `dark`, `contrast`); light outside Teams. */
export function fluentThemeFor(teamsTheme: string | undefined): Theme {
  if (teamsTheme === 'dark') return teamsDarkTheme;
  if (teamsTheme === 'contrast') return teamsHighContrastTheme;
  return teamsLightTheme;
}
