/**
 * The rest of Mantine's styles (mantine-later.css), as a module of its own: importing it makes Vite
 * add its stylesheet to the page and settle once the sheet applies. Only through withLaterStyles.
 */
import './mantine-later.css';
